import { parseCommandLine, UsageError } from './usage'

export { UsageError }

/** Photos a tag needs at the least to be learned. */
export const MIN_EXAMPLES_PER_TAG = 5

export const TEACH_USAGE = `Usage: npm run teach -- --tag NAME=DIR [--tag NAME=DIR ...] [--model BASE.onnx]
                        --out MODEL.onnx

Learns tags from example photos and saves them as a new ONNX model: the base
model with a head that scores each tag (its labels are the tag names). Classify
with it like with any model: npm run classify -- --model MODEL.onnx <photos>.

Each tag is learned from the photos in its folder (searched recursively) against
the other tags' photos; at least two tags and ${MIN_EXAMPLES_PER_TAG} photos per tag.

Options:
  -t, --tag NAME=DIR  a tag and the folder of its example photos (repeat it)
  -m, --model FILE    the base model (default: the bundled ResNet-56 CIFAR-10);
                      its card (.card.json beside it) is required
  -o, --out FILE      the model to write (ending in .onnx); its card is written
                      beside it (MODEL.onnx.card.json)
  -h, --help          show this help

Exit status: 0 saved; 1 a folder, photo or model could not be read, a tag has
too few photos, or the model could not be written; 2 bad command-line
arguments.
`

export interface TeachTag {
  name: string
  dir: string
}

export interface TeachOptions {
  tags: TeachTag[]
  /** undefined: the bundled model. */
  model: string | undefined
  out: string
}

export type ParsedTeachArgs = { help: true } | { help: false; options: TeachOptions }

export function parseTeachArgs(argv: readonly string[]): ParsedTeachArgs {
  const { values, positionals } = parseCommandLine(argv, {
    tag: { type: 'string', short: 't', multiple: true },
    model: { type: 'string', short: 'm' },
    out: { type: 'string', short: 'o' },
    help: { type: 'boolean', short: 'h' },
  })
  if (values.help) return { help: true }
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument ${positionals[0]} (give each tag as --tag NAME=DIR)`)
  }
  const tags: TeachTag[] = []
  for (const text of values.tag ?? []) {
    const at = text.indexOf('=')
    const name = at > 0 ? text.slice(0, at).trim() : ''
    const dir = at > 0 ? text.slice(at + 1) : ''
    if (name === '' || dir === '') throw new UsageError(`--tag ${text}: expected NAME=DIR`)
    if (tags.some((tag) => tag.name === name)) throw new UsageError(`--tag ${name} is given twice`)
    tags.push({ name, dir })
  }
  if (tags.length < 2) {
    throw new UsageError(
      `${tags.length === 0 ? 'no tags given' : 'one tag given'}: give at least two --tag NAME=DIR (each tag is learned against the others)`,
    )
  }
  if (values.out === undefined || values.out === '') throw new UsageError('no --out MODEL.onnx given')
  if (!/\.onnx$/i.test(values.out)) throw new UsageError(`--out ${values.out}: the model's name must end in .onnx`)
  if (values.model === '') throw new UsageError('--model: empty file name')
  return { help: false, options: { tags, model: values.model, out: values.out } }
}
