import { parseCommandLine, UsageError } from './usage'

export const INSPECT_USAGE = `Usage: npm run inspect -- <model.onnx | model.onnx.gz> [--json] [--blocks]

Reads an ONNX image classifier's graph (without running it) and prints its
input and output, parameter and multiply-accumulate (MAC) counts, its stages
(stem, residual stages, pool, classifier) and its depth.

Options:
      --json    one JSON object on stdout: {"classes", "input": {"name", "shape", ...},
                "params", "macs", "stages": [{"name", "blocks", "output", "params",
                "macs", ...}], "depth", ...}
      --blocks  also list every residual block (filters, kernels, stride, shortcut)
  -h, --help    show this help

Files ending in .gz are decompressed first.
Exit status: 0 read; 1 the file cannot be read or is not a model the app
accepts; 2 bad command-line arguments.
`

export interface InspectOptions {
  model: string
  json: boolean
  blocks: boolean
}

export type ParsedInspectArgs = { help: true } | { help: false; options: InspectOptions }

export function parseInspectArgs(argv: readonly string[]): ParsedInspectArgs {
  const parsed = parseCommandLine(argv, {
    json: { type: 'boolean' },
    blocks: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  })
  const { values, positionals } = parsed
  if (values.help) return { help: true }
  if (positionals.length === 0) throw new UsageError('no model file given')
  if (positionals.length > 1) throw new UsageError(`one model file at a time (got ${positionals.length})`)
  return {
    help: false,
    options: { model: positionals[0]!, json: values.json ?? false, blocks: values.blocks ?? false },
  }
}
