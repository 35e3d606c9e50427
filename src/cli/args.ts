import { ORGANIZE_OPTIONS, ORGANIZE_USAGE, parseOrganizeArgs, type OrganizeCliOptions } from './organize-args'
import { ENGINE_KINDS, type EngineKind } from '../shared/engine/engine-kind'
import { IMAGE_EXTENSIONS } from '../shared/image-files'
import { parseCommandLine, UsageError } from './usage'

export { UsageError }

export const USAGE = `Usage: npm run classify -- <file-or-folder>... [--model FILE] [--top K] [--json]
                           [--engine native|wasm|webgpu] [--db FILE]
       npm run classify -- <folder> --organize copy|move --out DIR [--threshold P]
                           [--dry-run] [--db FILE] [--model FILE] [--json]
       npm run classify -- --undo [--run ID] | --resume | --rollback [--run ID]
                           [--db FILE]

Classifies photos with a ResNet model. Folders are searched recursively for
${[...IMAGE_EXTENSIONS].join(' ')} files (hidden files skipped);
files named on the command line are always tried, whatever their extension.

Options:
  -m, --model FILE  ONNX model to use (default: the bundled ResNet-56 CIFAR-10).
                    Reads FILE's card from the .card.json file beside it; without
                    one, the input size, preprocessing and labels are inferred
                    from the graph.
  -k, --top K       classes to show per image (default 5)
      --json        one JSON object per line on stdout:
                      {"path": ..., "top": [{"label", "index", "p"}, ...]}
                    or {"path": ..., "error": "..."} for a file that failed
  -e, --engine E    the engine: native (onnxruntime-node's CPU), wasm
                    (onnxruntime-web's WebAssembly) or webgpu (the app window
                    only). Default: the fastest, measured once per model and
                    machine and remembered in the database (see --db); the
                    figures are printed at the start.
  -h, --help        show this help
${ORGANIZE_USAGE}
Exit status: 0 all images classified (and organized); 1 some files failed, no
images were found, or the model could not be loaded; 2 bad command-line
arguments.
`

export interface CliOptions {
  inputs: string[]
  model: string | undefined
  top: number
  json: boolean
  /** --engine; undefined: the fastest measured. */
  engine: EngineKind | undefined
  /** --db: the database (organize journal, jobs, engine measurements); undefined: the default. */
  db: string | undefined
  /** Present with --organize, --undo, --resume or --rollback. */
  organize?: OrganizeCliOptions
}

export type ParsedArgs = { help: true } | { help: false; options: CliOptions }

export function parseCliArgs(argv: readonly string[]): ParsedArgs {
  const parsed = parseCommandLine(argv, {
    model: { type: 'string', short: 'm' },
    top: { type: 'string', short: 'k' },
    json: { type: 'boolean' },
    engine: { type: 'string', short: 'e' },
    help: { type: 'boolean', short: 'h' },
    ...ORGANIZE_OPTIONS,
  })
  const { values, positionals } = parsed
  if (values.help) return { help: true }

  let top = 5
  if (values.top !== undefined) {
    if (!/^\d+$/.test(values.top) || Number(values.top) < 1) {
      throw new UsageError(`--top expects a whole number of at least 1, got "${values.top}"`)
    }
    top = Number(values.top)
  }
  if (values.model === '') throw new UsageError('--model expects a file name')
  const engine = ENGINE_KINDS.find((kind) => kind === values.engine)
  if (values.engine !== undefined && engine === undefined) {
    throw new UsageError(`--engine expects native, wasm or webgpu, got "${values.engine}"`)
  }
  const organize = parseOrganizeArgs(values, positionals)
  if (positionals.length === 0 && (organize === undefined || organize.action === 'organize')) {
    throw new UsageError('no files or folders given')
  }
  const options: CliOptions = {
    inputs: positionals,
    model: values.model,
    top,
    json: values.json ?? false,
    engine,
    db: values.db,
  }
  return { help: false, options: organize ? { ...options, organize } : options }
}
