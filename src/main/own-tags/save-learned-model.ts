import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { ModelSummary } from '../../shared/ipc/contract'
import { featureLength, type FeatureLayout } from '../../shared/knowledge/features'
import { knowledgeFiles, loadKnowledge } from '../knowledge/load-knowledge'
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
  // The model's knowledge as its engines read it (its profile, or none where they refuse it): the same spec.
  const layout = await deps.featureLayout(modelId)
  const { knowledge } = await loadKnowledge(knowledgeFiles(library.profilePath(modelId), undefined), {
    sha256: baseCard.sha256,
    classes: baseCard.output.classes,
    featureLength: featureLength(layout),
    layout,
  })
  const spec = knowledge.embedding
  if (spec?.version !== embeddingVersion) {
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
