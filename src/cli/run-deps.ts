import type { ModelFile } from '../main/inference/load-model'

/** What the classify CLI gives the runners of its other modes (organize, similar photos, duplicates). */
export interface CliRunDeps {
  /** The "Model: ..." line the classify CLI prints. */
  describeModel: (model: ModelFile, bundled: boolean) => string
  stdout?: NodeJS.WritableStream
  stderr?: NodeJS.WriteStream
}

/** An error's message, for an `error: …` line. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
