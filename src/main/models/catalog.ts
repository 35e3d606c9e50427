import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { BUILTIN_LABEL_LISTS } from '../../shared/ipc/contract'
import { IMAGENET_PREPROCESSING, type Preprocessing } from '../../shared/model-card'

/**
 * The download catalog (`resources/catalog.json`): models the app can fetch, with the facts needed to
 * verify them (exact byte size, sha256) and to describe them (published accuracy, preprocessing,
 * which built-in label list their outputs follow). The field names are those of the source file.
 */

const Triple = z.tuple([z.number(), z.number(), z.number()])
const PositiveTriple = z.tuple([z.number().positive(), z.number().positive(), z.number().positive()])
const Percent = z.number().min(0).max(100)

export const CatalogLabelsSchema = z.enum(BUILTIN_LABEL_LISTS)
export type CatalogLabels = z.infer<typeof CatalogLabelsSchema>

export const CatalogPreprocessSchema = z
  .object({
    /** Scale the photo so its shorter side has this many pixels… */
    resize_shorter: z.number().int().positive(),
    /** …then cut the centred square of this size: the model's input. */
    center_crop: z.number().int().positive(),
    /** Per-channel mean and std (RGB) of pixel values scaled to [0, 1]. */
    mean: Triple,
    std: PositiveTriple,
  })
  .refine((p) => p.center_crop <= p.resize_shorter, {
    message: 'center_crop must not be larger than resize_shorter',
    path: ['center_crop'],
  })
export type CatalogPreprocess = z.infer<typeof CatalogPreprocessSchema>

/** `resnet50-v1-12-int8` → `ResNet-50 v1 (opset 12, int8)`; other ids are returned as they are. */
export function catalogDisplayName(id: string): string {
  const match = /^resnet(\d+)-v(\d+)-(\d+)((?:-[a-z0-9]+)*)$/.exec(id)
  if (!match) return id
  const [, depth, version, opset, extra] = match
  const notes = [`opset ${opset}`, ...(extra ? extra.slice(1).split('-') : [])]
  return `ResNet-${depth} v${version} (${notes.join(', ')})`
}

export const CatalogEntrySchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'an id is lower-case letters, digits, ".", "_" or "-"'),
    /** Shown in the catalog view; derived from the id when the file has none. */
    name: z.string().min(1).max(120).optional(),
    /** A plain file name (no folders), where the download lands in the models folder. */
    file: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\.onnx$/, 'a plain .onnx file name, without folders'),
    url: z.url({ protocol: /^https$/, error: 'an https URL' }),
    bytes: z.number().int().positive(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lower-case hex digits'),
    imagenet_top1: Percent,
    imagenet_top5: Percent,
    labels: CatalogLabelsSchema,
    preprocess: CatalogPreprocessSchema,
  })
  .refine((e) => e.imagenet_top1 <= e.imagenet_top5, {
    message: 'imagenet_top1 cannot exceed imagenet_top5',
    path: ['imagenet_top1'],
  })
  .transform((entry) => ({ ...entry, name: entry.name ?? catalogDisplayName(entry.id) }))
/** An entry as parsed: `name` is always there. */
export type CatalogEntry = z.infer<typeof CatalogEntrySchema>

export const CatalogSchema = z
  .object({
    source: z.string().min(1),
    models: z.array(CatalogEntrySchema).min(1),
  })
  .superRefine((catalog, ctx) => {
    for (const key of ['id', 'file'] as const) {
      const seen = new Set<string>()
      catalog.models.forEach((entry, index) => {
        if (seen.has(entry[key])) {
          ctx.addIssue({ code: 'custom', message: `duplicate ${key} "${entry[key]}"`, path: ['models', index, key] })
        }
        seen.add(entry[key])
      })
    }
  })
export type Catalog = z.infer<typeof CatalogSchema>

/** Checks parsed JSON against the catalog schema; `source` names it in the error. */
export function parseCatalog(value: unknown, source = 'The model catalog'): Catalog {
  const result = CatalogSchema.safeParse(value)
  if (!result.success) throw new Error(`${source} is invalid:\n${z.prettifyError(result.error)}`)
  return result.data
}

/** Reads and checks `resources/catalog.json` (or another catalog file); throws a message naming the file. */
export function loadCatalog(file: string): Catalog {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new Error(`The model catalog ${file} cannot be read: ${(error as Error).message}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new Error(`The model catalog ${file} is not valid JSON: ${(error as Error).message}`)
  }
  return parseCatalog(json, `The model catalog ${file}`)
}

/** What a catalog entry says about the model card: its preprocessing, input size and label list. */
export interface CatalogCardFacts {
  preprocessing: Preprocessing
  /** The square input the centre crop produces. */
  input: { height: number; width: number }
  /** The built-in label list (`resources/labels/<labels>.txt`). */
  labels: CatalogLabels
  /** Published accuracy, in percent, for the card's metrics. */
  metrics: { imagenet_top1: number; imagenet_top5: number }
}

const sameTriple = (a: readonly number[], b: readonly number[]): boolean => a.every((v, i) => v === b[i])

/**
 * Maps an entry to the card's facts: the standard ImageNet preprocessing (shorter side 256, centre crop
 * 224, ImageNet mean/std) is `IMAGENET_PREPROCESSING`; anything else is derived from the entry.
 */
export function catalogCardFacts(entry: CatalogEntry): CatalogCardFacts {
  const p = entry.preprocess
  const standard =
    p.resize_shorter === IMAGENET_PREPROCESSING.shorterSide &&
    p.center_crop === 224 &&
    sameTriple(p.mean, IMAGENET_PREPROCESSING.mean) &&
    sameTriple(p.std, IMAGENET_PREPROCESSING.std)
  const preprocessing: Preprocessing = standard
    ? structuredClone(IMAGENET_PREPROCESSING)
    : {
        resize: 'shorter-side',
        shorterSide: p.resize_shorter,
        interpolation: 'bilinear',
        colorOrder: 'RGB',
        scale: 1 / 255,
        mean: [...p.mean],
        std: [...p.std],
      }
  return {
    preprocessing,
    input: { height: p.center_crop, width: p.center_crop },
    labels: entry.labels,
    metrics: { imagenet_top1: entry.imagenet_top1, imagenet_top5: entry.imagenet_top5 },
  }
}

/** The card's preprocessing for an entry (see `catalogCardFacts`). */
export function catalogPreprocessing(entry: CatalogEntry): Preprocessing {
  return catalogCardFacts(entry).preprocessing
}
