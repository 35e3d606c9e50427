/**
 * Prints what an ONNX classifier's graph says about itself: `npm run inspect -- <model.onnx[.gz]> [--json] [--blocks]`.
 * See INSPECT_USAGE in inspect-args.ts for options and exit codes.
 */
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { GraphError, readModelGraph, type GraphReport } from '../main/onnx'
import { INSPECT_USAGE, parseInspectArgs, type InspectOptions } from './inspect-args'
import { UsageError } from './usage'
import { formatReport } from './inspect-format'

const EXIT_OK = 0
const EXIT_FAILED = 1
const EXIT_USAGE = 2

/** The file's bytes, gunzipped when it is a .gz file (or starts with gzip's magic bytes). */
function readModelBytes(path: string): Uint8Array {
  const bytes = readFileSync(path)
  const gzip = bytes[0] === 0x1f && bytes[1] === 0x8b
  if (!gzip && !path.toLowerCase().endsWith('.gz')) return bytes
  try {
    return gunzipSync(bytes)
  } catch (error) {
    throw new Error(`cannot decompress it: ${(error as Error).message}`, { cause: error })
  }
}

function main(argv: readonly string[]): number {
  let options: InspectOptions
  try {
    const parsed = parseInspectArgs(argv)
    if (parsed.help) {
      process.stdout.write(INSPECT_USAGE)
      return EXIT_OK
    }
    options = parsed.options
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    process.stderr.write(`error: ${error.message}\n\n${INSPECT_USAGE}`)
    return EXIT_USAGE
  }

  let report: GraphReport
  try {
    report = readModelGraph(readModelBytes(options.model))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const message =
      error instanceof GraphError
        ? error.message
        : code === 'ENOENT'
          ? 'no such file'
          : code === 'EISDIR'
            ? 'is a folder, not a model file'
            : error instanceof Error
              ? error.message
              : String(error)
    process.stderr.write(`error: ${options.model}: ${message}\n`)
    return EXIT_FAILED
  }
  const file = basename(options.model)
  process.stdout.write(
    options.json ? `${JSON.stringify({ file, ...report })}\n` : formatReport(file, report, options.blocks),
  )
  return EXIT_OK
}

// A closed pipe (e.g. `| head`) ends the run quietly instead of with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(EXIT_OK)
  throw error
})

try {
  process.exitCode = main(process.argv.slice(2))
} catch (error) {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = EXIT_FAILED
}
