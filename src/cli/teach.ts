/**
 * Learned tags as a model: `npm run teach -- --tag NAME=DIR [--tag NAME=DIR ...] [--model BASE.onnx] --out MODEL.onnx`.
 * Each tag's photos go through the base model's features and embedding; a head is learned over them (each tag
 * against the other tags' photos) and saved, spliced into the base model, as MODEL.onnx with its card beside it.
 * See TEACH_USAGE in teach-args.ts for options and exit codes.
 */
import { learningParts } from '../shared/embedding/embedding-spec'
import { access, stat } from 'node:fs/promises'
import { constants } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { embed, embeddingSpecFor } from '../shared/embedding/embedding'
import { featureLength } from '../shared/knowledge/features'
import { learnHead } from '../shared/learning/learn-head'
import type { ModelCard } from '../shared/model-card'
import { collectInputs } from '../main/fs/collect-inputs'
import { openFeatureExtractor } from '../main/inference/extract-features'
import { readModel } from '../main/inference/load-model'
import { createNativeEngine } from '../main/inference/native-ort'
import { knowledgeFiles, loadKnowledge, profilePathFor } from '../main/knowledge/load-knowledge'
import { writeLearnedModel, type TagExamples } from '../main/own-tags/learned-model'
import { labelsDir, defaultModelPath } from './paths'
import { MIN_EXAMPLES_PER_TAG, parseTeachArgs, TEACH_USAGE, UsageError, type TeachOptions } from './teach-args'

const EXIT_OK = 0
const EXIT_FAILED = 1
const EXIT_USAGE = 2

/** A failure to report as one line, with exit status 1. */
class TeachError extends Error {}

async function main(argv: readonly string[]): Promise<number> {
  let options: TeachOptions
  try {
    const parsed = parseTeachArgs(argv)
    if (parsed.help) {
      process.stdout.write(TEACH_USAGE)
      return EXIT_OK
    }
    options = parsed.options
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    process.stderr.write(`error: ${error.message}\n\n${TEACH_USAGE}`)
    return EXIT_USAGE
  }
  try {
    await teach(options)
    return EXIT_OK
  } catch (error) {
    if (!(error instanceof TeachError)) throw error
    process.stderr.write(`error: ${error.message}\n`)
    return EXIT_FAILED
  }
}

async function teach(options: TeachOptions): Promise<void> {
  const out = resolve(options.out)
  await checkWritable(out)
  const modelPath = resolve(options.model ?? defaultModelPath)

  // The photos of each tag, checked before the model is loaded.
  const photos = new Map<string, string[]>()
  for (const tag of options.tags) {
    let isFolder = false
    try {
      isFolder = (await stat(tag.dir)).isDirectory()
    } catch {
      throw new TeachError(`tag "${tag.name}": folder ${tag.dir} not found`)
    }
    if (!isFolder) throw new TeachError(`tag "${tag.name}": ${tag.dir} is not a folder`)
    const inputs = await collectInputs([tag.dir])
    const unreadable = inputs.find((input) => input.error !== undefined)
    if (unreadable) throw new TeachError(`tag "${tag.name}": ${unreadable.path}: ${unreadable.error}`)
    const paths = inputs.map((input) => input.path)
    if (paths.length < MIN_EXAMPLES_PER_TAG) {
      throw new TeachError(
        `tag "${tag.name}": ${tag.dir} has ${paths.length} photo${paths.length === 1 ? '' : 's'}; ` +
          `at least ${MIN_EXAMPLES_PER_TAG} are needed to learn a tag`,
      )
    }
    photos.set(tag.name, paths)
  }

  const engine = createNativeEngine()
  let card: ModelCard
  try {
    const model = await readModel(engine, modelPath, labelsDir)
    if (model.cardPath === undefined)
      throw new Error(`no card beside it (${modelPath.replace(/\.onnx$/i, '.card.json')})`)
    card = model.card
  } catch (error) {
    throw new TeachError(`cannot load model ${modelPath}: ${(error as Error).message}`)
  }
  process.stderr.write(`Base model: ${card.name}\n`)
  const extractor = await openFeatureExtractor(modelPath, card, engine).catch((error: unknown) => {
    throw new TeachError(`cannot read features from ${modelPath}: ${(error as Error).message}`)
  })
  // The embedding the engines make for this model: with its profile beside it, unless they would refuse it.
  const { knowledge, status } = await loadKnowledge(knowledgeFiles(profilePathFor(modelPath), undefined), {
    sha256: card.sha256,
    classes: card.output.classes,
    featureLength: featureLength(extractor.layout),
    layout: extractor.layout,
  })
  if (status.source === 'energy' && status.note !== 'no profile') {
    process.stderr.write(`warning: not using the model's profile: ${status.note}\n`)
  }
  const spec = knowledge.embedding ?? embeddingSpecFor(extractor.layout)

  const embeddings = new Map<string, Float32Array[]>()
  try {
    for (const [tag, paths] of photos) {
      const rows: Float32Array[] = []
      for await (const file of extractor.extract(paths, {
        onProgress: (done, total) => process.stderr.write(`\r${tag}: ${done}/${total} photos`),
      })) {
        if ('error' in file) throw new TeachError(`tag "${tag}": ${file.path}: ${file.error}`)
        rows.push(embed(file.features, spec))
      }
      process.stderr.write('\n')
      embeddings.set(tag, rows)
    }
  } finally {
    await extractor.release()
  }

  const tags = [...embeddings.keys()]
  const total = tags.reduce((n, tag) => n + embeddings.get(tag)!.length, 0)
  const examples: Record<string, TagExamples> = {}
  for (const tag of tags) {
    const positives = embeddings.get(tag)!.length
    examples[tag] = { positives, negatives: total - positives }
  }
  process.stderr.write(`Learning ${tags.length} tags from ${total} photos…\n`)
  // Each tag against the others' photos (learnHead's default: a photo with other tags is a negative).
  const head = learnHead(
    tags.flatMap((tag) => embeddings.get(tag)!.map((embedding) => ({ embedding, positive: [tag] }))),
    { tags, parts: learningParts(spec) },
  )

  try {
    const saved = await writeLearnedModel(out, {
      baseModelPath: modelPath,
      baseCard: card,
      spec,
      head,
      examples,
      now: new Date(),
    })
    process.stderr.write(`Saved ${saved.modelPath}\n  and its card ${saved.cardPath}\n`)
  } catch (error) {
    throw new TeachError(`cannot write ${out}: ${(error as Error).message}`)
  }
}

/** Fails early (before any photo is read) when the output's folder is missing or not writable. */
async function checkWritable(out: string): Promise<void> {
  const folder = dirname(out)
  try {
    if (!(await stat(folder)).isDirectory()) throw new Error('not a folder')
    await access(folder, constants.W_OK)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why =
      code === 'ENOENT'
        ? 'the folder does not exist'
        : code === 'EACCES'
          ? 'the folder is not writable'
          : (error as Error).message
    throw new TeachError(`cannot write ${out}: ${why}`)
  }
  try {
    if ((await stat(out)).isDirectory()) throw new TeachError(`cannot write ${out}: it is a folder`)
  } catch (error) {
    if (error instanceof TeachError) throw error
  }
}

process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`)
  return EXIT_FAILED
})
