import { ORGANIZE_OPTIONS, ORGANIZE_USAGE, parseOrganizeArgs, type OrganizeCliOptions } from './organize-args'
import { ENGINE_KINDS, type EngineKind } from '../shared/engine/engine-kind'
import { IMAGE_EXTENSIONS } from '../shared/image-files'
import { parseCommandLine, UsageError } from './usage'

export { UsageError }

/** Photos `--similar` prints without --top. */
export const DEFAULT_SIMILAR_TOP = 10

export const OWN_TAGS_USAGE = `
Similar photos and near-duplicates: classify a folder (one folder, searched
recursively, results kept in the database as with --organize), then:
      --similar PHOTO  print the photos of the folder most like PHOTO (inside
                       the folder or not), most similar first: "0.912  PATH";
                       -k/--top K sets how many (default ${DEFAULT_SIMILAR_TOP})
      --duplicates     print the groups of near-duplicates among the folder's
                       photos (resized, recompressed, rotated, lightly cropped
                       or converted copies), a paragraph per group, the copy
                       to keep (the most pixels) marked "keep"
  Paths are absolute. With --json, one JSON object per line:
  {"path": ..., "score": ...} for --similar (score: the cosine of the two
  photos' embeddings, 1 = the same), {"group": [path, ...], "keep": path}
  for --duplicates.
`

export const USAGE = `Usage: npm run classify -- <file-or-folder>... [--model FILE] [--top K] [--json]
                           [--engine native|wasm|webgpu] [--db FILE]
       npm run classify -- <folder> --organize copy|move --out DIR [--threshold P]
                           [--dry-run] [--db FILE] [--model FILE] [--json]
       npm run classify -- --undo [--run ID] | --resume | --rollback [--run ID]
                           [--db FILE]
       npm run classify -- <folder> --similar PHOTO [--top K] | --duplicates
                           [--json] [--db FILE] [--model FILE]

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
${ORGANIZE_USAGE}${OWN_TAGS_USAGE}
Exit status: 0 all images classified (and organized, or the similar photos or
duplicates printed); 1 some files failed, no images were found, PHOTO could
not be read, or the model could not be loaded; 2 bad command-line arguments.
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
  /** Present with --similar or --duplicates. */
  ownTags?: OwnTagsCliOptions
}

/** `<folder> --similar PHOTO [--top K]` or `<folder> --duplicates`. */
export type OwnTagsCliOptions = { action: 'similar'; photo: string; top: number } | { action: 'duplicates' }

export type ParsedArgs = { help: true } | { help: false; options: CliOptions }

export function parseCliArgs(argv: readonly string[]): ParsedArgs {
  const parsed = parseCommandLine(argv, {
    model: { type: 'string', short: 'm' },
    top: { type: 'string', short: 'k' },
    json: { type: 'boolean' },
    engine: { type: 'string', short: 'e' },
    help: { type: 'boolean', short: 'h' },
    similar: { type: 'string' },
    duplicates: { type: 'boolean' },
    ...ORGANIZE_OPTIONS,
  })
  const { values, positionals } = parsed
  if (values.help) return { help: true }

  let top: number | undefined
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
  const ownTags = parseOwnTagsArgs(values, positionals, organize)
  if (positionals.length === 0 && (organize === undefined || organize.action === 'organize')) {
    throw new UsageError('no files or folders given')
  }
  const options: CliOptions = {
    inputs: positionals,
    model: values.model,
    top: top ?? 5,
    json: values.json ?? false,
    engine,
    db: values.db,
  }
  if (ownTags) {
    const own = ownTags.action === 'similar' ? { ...ownTags, top: top ?? DEFAULT_SIMILAR_TOP } : ownTags
    return { help: false, options: { ...options, ownTags: own } }
  }
  return { help: false, options: organize ? { ...options, organize } : options }
}

/** The --similar / --duplicates part of the command line; undefined when neither is given. */
function parseOwnTagsArgs(
  values: { similar?: string; duplicates?: boolean; top?: string },
  positionals: readonly string[],
  organize: OrganizeCliOptions | undefined,
): { action: 'similar'; photo: string } | { action: 'duplicates' } | undefined {
  const similar = values.similar
  if (similar === undefined && values.duplicates === undefined) return undefined
  const flag = similar !== undefined ? '--similar' : '--duplicates'
  if (similar !== undefined && values.duplicates !== undefined) {
    throw new UsageError('--similar and --duplicates cannot be combined')
  }
  if (organize !== undefined) {
    const other = organize.action === 'organize' ? '--organize' : `--${organize.action}`
    throw new UsageError(`${flag} and ${other} cannot be combined`)
  }
  if (positionals.length !== 1) throw new UsageError(`${flag} takes exactly one folder`)
  if (similar === '') throw new UsageError('--similar expects a photo')
  if (similar === undefined && values.top !== undefined) throw new UsageError('--top has no use with --duplicates')
  return similar !== undefined ? { action: 'similar', photo: similar } : { action: 'duplicates' }
}
