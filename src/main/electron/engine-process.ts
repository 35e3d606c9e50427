import { utilityProcess } from 'electron'
import { exitOnce, type EnginePort } from '../engine/engine-port'
import type { WorkerReply } from '../engine-process/protocol'

/**
 * The engine worker in an Electron utility process: a Node process of its own, so inference, decoding
 * and preprocessing never run on the main process's event loop, and a crash there leaves the app up.
 */
export function spawnUtilityEngine(script: string): EnginePort {
  const child = utilityProcess.fork(script, [], { serviceName: 'ResNet Lens engine', stdio: 'inherit' })
  const exit = exitOnce()
  let running = true
  // A fatal V8 error in the child (out of memory, say): Electron emits 'error' and then 'exit'. An
  // 'error' with no listener would throw in the main process.
  child.on('error', (type, location) => {
    running = false
    exit.fire(`the engine process failed (${type} at ${location})`)
  })
  child.on('exit', (code) => {
    running = false
    exit.fire(`the engine process stopped (exit code ${code})`)
  })
  return {
    postMessage: (message) => child.postMessage(message),
    onMessage: (listener) => child.on('message', (reply: WorkerReply) => listener(reply)),
    onExit: exit.listen,
    terminate: async () => {
      if (running) {
        const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()))
        child.kill()
        await gone
      }
      exit.fire('the engine process was stopped')
    },
  }
}
