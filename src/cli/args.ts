import { ORGANIZE_OPTIONS, ORGANIZE_USAGE, parseOrganizeArgs, type OrganizeCliOptions } from './organize-args'
import { parseCommandLine, UsageError } from './usage'

export { UsageError }

export const USAGE = `Usage: npm run classify -- <file-or-folder>... [--model FILE] [--top K] [--json]
       npm run classify -- <folder> --organize copy|move --out DIR [--threshold P]
                           [--dry-run] [--db FILE] [--model FILE] [--json]
       npm run classify -- --undo [--run ID] | --resume | --rollback [--run ID]
                           [--db FILE]

Classifies photos with a ResNet model. Folders are searched recursively for
.jpg .jpeg .png .webp .gif .bmp .tif .tiff .avif files (hidden files skipped);
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
  /** Present with --organize, --undo, --resume or --rollback. */
  organize?: OrganizeCliOptions
}

export type ParsedArgs = { help: true } | { help: false; options: CliOptions }

export function parseCliArgs(argv: readonly string[]): ParsedArgs {
  const parsed = parseCommandLine(argv, {
    model: { type: 'string', short: 'm' },
    top: { type: 'string', short: 'k' },
    json: { type: 'boolean' },
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
  const organize = parseOrganizeArgs(values, positionals)
  if (positionals.length === 0 && (organize === undefined || organize.action === 'organize')) {
    throw new UsageError('no files or folders given')
  }
  const options: CliOptions = { inputs: positionals, model: values.model, top, json: values.json ?? false }
  return { help: false, options: organize ? { ...options, organize } : options }
}
