import { EngineClient } from '../engine/client'

let client: EngineClient | undefined

/**
 * The window's one inference worker, created on first use: the Classify screen runs photos on it, the
 * photo detail its activations, the Models screen its benchmarks, and the main process its WebGPU batches.
 */
export function engine(): EngineClient {
  client ??= new EngineClient()
  return client
}

/** Replaces the engine (tests give the session a client over a fake worker); call before any use. */
export function replaceEngine(next: EngineClient): void {
  client = next
}
