import { randomBytes } from 'node:crypto'
import { readFile, rename, rm, writeFile } from 'node:fs/promises'
import { basename, dirname } from 'node:path'
import type { EmbeddingSpec } from '../../shared/embedding/embedding-spec'
import type { LearnedHead } from '../../shared/learning/learned-head'
import { parseModelCard, type ModelCard } from '../../shared/model-card'
import { fsyncDir, fsyncFile } from '../fs/durable'
import { sha256Hex } from '../inference/infer-card'
import { fullNameCardPathFor } from '../inference/load-model'
import { summarizeGraph } from '../models/graph-reading'
import { LEARNED_OUTPUT, spliceLearnedHead } from '../onnx/learned-head'
import { readModelGraph } from '../onnx/read-model-graph'

/** Photos a tag was learned from: its own (positives) and the other tags' (negatives). */
export interface TagExamples {
  positives: number
  negatives: number
}

export interface LearnedModelInput {
  baseModelPath: string
  /** The base model's card: its input and preprocessing are the saved model's. */
  baseCard: ModelCard
  spec: EmbeddingSpec
  head: LearnedHead
  /** Per tag name. */
  examples: Readonly<Record<string, TagExamples>>
  now: Date
}

export interface LearnedModelFiles {
  modelPath: string
  cardPath: string
  card: ModelCard
}

/**
 * The card of a model saved from learned tags: the base model's input and preprocessing, the tags as labels, the
 * output `logits` with one class per tag, and the `learned` record (base model, examples per tag, date).
 */
export function learnedModelCard(
  bytes: Uint8Array,
  file: string,
  input: Pick<LearnedModelInput, 'baseCard' | 'spec' | 'head' | 'examples' | 'now'>,
): ModelCard {
  const { baseCard, spec, head, examples, now } = input
  const report = readModelGraph(bytes)
  const stem = file.replace(/\.onnx$/i, '')
  const id =
    stem
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[^a-z0-9]+/, '')
      .slice(0, 64) || 'learned-tags'
  const date = now.toISOString()
  return parseModelCard({
    id,
    name: `Learned tags: ${head.tags.join(', ')}`,
    architecture: `${baseCard.architecture}, with a learned tags head`,
    file,
    sha256: sha256Hex(bytes),
    source: `Learned on ${date.slice(0, 10)} on the features of ${baseCard.name} (sha256 ${baseCard.sha256.slice(0, 12)}…).`,
    params: report.params,
    input: baseCard.input,
    output: { name: LEARNED_OUTPUT, classes: head.tags.length },
    labels: head.tags,
    preprocessing: baseCard.preprocessing,
    metrics: {},
    labelsSource: 'learned tags',
    graph: summarizeGraph(report),
    learned: {
      baseSha256: baseCard.sha256,
      baseName: baseCard.name,
      embeddingVersion: spec.version,
      examples: head.tags.map((tag) => ({
        tag,
        positives: examples[tag]?.positives ?? 0,
        negatives: examples[tag]?.negatives ?? 0,
      })),
      date,
    },
  })
}

/**
 * Saves learned tags as a model: `outPath` (the base model with the head spliced in: `spliceLearnedHead`) and its
 * card beside it (`X.card.json` for `X.onnx`, as `readModel` looks for it). Both are written to temp files first,
 * flushed, then renamed over the targets, model first, so a reader never sees half a file; on failure the temp
 * files are removed and what stood there before is left.
 */
export async function writeLearnedModel(outPath: string, input: LearnedModelInput): Promise<LearnedModelFiles> {
  if (!/\.onnx$/i.test(outPath)) throw new Error(`The model's name must end in .onnx (got ${outPath}).`)
  const cardPath = fullNameCardPathFor(outPath)
  const base = new Uint8Array(await readFile(input.baseModelPath))
  if (sha256Hex(base) !== input.baseCard.sha256) {
    throw new Error(`${input.baseModelPath} does not match its card (sha256 differs).`)
  }
  const bytes = spliceLearnedHead(base, input.spec, input.head, input.baseCard.preprocessing.views)
  const card = learnedModelCard(bytes, basename(outPath), input)

  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}.tmp`
  const tempModel = `${outPath}.${suffix}`
  const tempCard = `${cardPath}.${suffix}`
  try {
    await writeFile(tempModel, bytes, { flag: 'wx' })
    await writeFile(tempCard, `${JSON.stringify(card, null, 2)}\n`, { flag: 'wx' })
    await fsyncFile(tempModel)
    await fsyncFile(tempCard)
    await rename(tempModel, outPath)
    await rename(tempCard, cardPath)
  } catch (error) {
    await rm(tempModel, { force: true })
    await rm(tempCard, { force: true })
    throw error
  }
  await fsyncDir(dirname(outPath))
  return { modelPath: outPath, cardPath, card }
}
