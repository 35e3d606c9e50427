import { mkdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { ModelSummary } from '../../shared/ipc/contract'
import { embeddingSpecFor } from '../../shared/embedding/embedding'
import { featureLength, type FeatureLayout } from '../../shared/knowledge/features'
import { parseProfile, type KnowledgeProfile } from '../../shared/knowledge/profile'
import { writeLearnedModel } from './learned-model'
import { importModel, type ImportDeps } from '../models/import-model'
import { TagError } from '../tags/tags'
import type { LearnedTagsService } from './learned-tags-service'

export interface SaveLearnedModelDeps {
  learned: LearnedTagsService
  importer: ImportDeps
  featureLayout(modelId: string): Promise<FeatureLayout>
  /** Where the model is written before it is imported into the library. */
  workDir: string
  now?: () => Date
}

/**
 * Saves learned tags as a model of the library: their heads, one row each, spliced onto the base model's graph
 * behind the same embedding the app scores them on (`writeLearnedModel`), then imported like any model file (so
 * the library holds the copy, with its card). The base model's own embedding spec is used: with its profile
 * where it has one, as its engines do.
 */
export async function saveLearnedModel(
  deps: SaveLearnedModelDeps,
  input: { name: string; tagIds: readonly number[] },
): Promise<ModelSummary> {
  const { modelId, head, embeddingVersion, counts } = deps.learned.combinedHead(input.tagIds)
  const library = deps.importer.library
  const baseCard = library.card(modelId)
  const baseModelPath = library.resolveFile(modelId)
  if (baseModelPath === undefined)
    throw new TagError(`The model the tags were learned with is no longer in the library.`)
  const layout = await deps.featureLayout(modelId)
  const spec = embeddingSpecFor(layout, await readProfile(library.profilePath(modelId), baseCard, layout))
  if (spec.version !== embeddingVersion) {
    throw new TagError('The tags were learned on an older embedding of this model: learn them again, then save.')
  }
  await mkdir(deps.workDir, { recursive: true })
  const outPath = join(deps.workDir, `learned-${Date.now()}-${process.pid}.onnx`)
  const now = (deps.now ?? (() => new Date()))()
  try {
    const files = await writeLearnedModel(outPath, {
      baseModelPath,
      baseCard,
      spec,
      head,
      examples: Object.fromEntries(counts.map((c) => [c.tag, { positives: c.positives, negatives: c.negatives }])),
      now,
    })
    const { token } = deps.importer.grants.grant(files.modelPath)
    const { model } = await importModel(
      deps.importer,
      {
        token,
        name: input.name,
        labels: { kind: 'list', source: 'learned tags', labels: head.tags },
        preprocessing: baseCard.preprocessing,
      },
      {
        source: `Learned tags on ${baseCard.name}`,
        moveSource: true,
        ...(files.card.learned && { learned: files.card.learned }),
      },
    )
    return model
  } finally {
    await rm(outPath, { force: true })
    await rm(`${outPath}.card.json`, { force: true })
  }
}

/** The model's profile as its engines read it; none where they would refuse it (and then embed without it). */
async function readProfile(
  path: string | undefined,
  card: { sha256: string; output: { classes: number } },
  layout: FeatureLayout,
): Promise<KnowledgeProfile | undefined> {
  if (path === undefined) return undefined
  try {
    return parseProfile(JSON.parse(await readFile(path, 'utf8')), {
      sha256: card.sha256,
      featureLength: featureLength(layout),
      classes: card.output.classes,
    })
  } catch {
    return undefined
  }
}
