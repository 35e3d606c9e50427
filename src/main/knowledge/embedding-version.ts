import type { EmbeddingSpec } from '../../shared/embedding/embedding-spec'
import { featureLength, type FeatureLayout } from '../../shared/knowledge/features'
import type { ModelCard } from '../../shared/model-card'
import { knowledgeFiles, loadKnowledge } from './load-knowledge'

export interface EmbeddingVersionDeps {
  library: { card(id: string): ModelCard; profilePath(id: string): string | undefined }
  /** The stages a model's features describe (`ModelArtifacts.featureLayout`); throws when it has none. */
  featureLayout(modelId: string): Promise<FeatureLayout>
}

/**
 * The version of the embedding a model makes (`EmbeddingSpec.version`), or undefined where it makes none; answered
 * at once (not as a promise) once known, so that a job can take its photos in the same turn it starts.
 */
export type EmbeddingVersionOf = (modelId: string) => number | undefined | Promise<number | undefined>

/**
 * The version of the embedding a model makes now: its spec as the engine worker resolves it, from the model's
 * feature layout and its knowledge profile (or none, where there is none or it is refused). Undefined when the
 * model makes no embedding (no stages to take features from) or it cannot be told (the model or its file is gone).
 * Remembered per model file, profile revision and preprocessing (its views change the layout): a profile built
 * again gives the new version at once.
 */
export function modelEmbeddingVersion(
  deps: EmbeddingVersionDeps,
  onSpec?: (modelId: string, spec: EmbeddingSpec) => void,
): EmbeddingVersionOf {
  const known = new Map<string, number | undefined>()
  const asked = new Map<string, Promise<number | undefined>>()
  return (modelId) => {
    let key: string
    let card: ModelCard
    let files: ReturnType<typeof knowledgeFiles>
    try {
      card = deps.library.card(modelId)
      files = knowledgeFiles(deps.library.profilePath(modelId), undefined)
      key = JSON.stringify([modelId, card.sha256, files.profilePath, files.revision, card.preprocessing])
    } catch {
      return undefined // no such model
    }
    if (known.has(key)) return known.get(key)
    let version = asked.get(key)
    if (version === undefined) {
      version = embeddingSpecNow(deps, modelId, card, files)
        .then(
          (spec) => {
            if (spec) onSpec?.(modelId, spec)
            known.set(key, spec?.version)
            return spec?.version
          },
          // No stages, or the model's file could not be read: no embedding is expected (asked again next time).
          () => undefined,
        )
        .finally(() => asked.delete(key))
      asked.set(key, version)
    }
    return version
  }
}

async function embeddingSpecNow(
  deps: EmbeddingVersionDeps,
  modelId: string,
  card: ModelCard,
  files: ReturnType<typeof knowledgeFiles>,
): Promise<EmbeddingSpec | undefined> {
  const layout = await deps.featureLayout(modelId)
  const { knowledge } = await loadKnowledge(files, {
    sha256: card.sha256,
    classes: card.output.classes,
    featureLength: featureLength(layout),
    layout,
  })
  return knowledge.embedding
}
