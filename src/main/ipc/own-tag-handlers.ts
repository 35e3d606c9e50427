import type { DomainHandlers, ModelSummary, ownTagChannels } from '../../shared/ipc/contract'
import type { DuplicatesService } from '../own-tags/duplicates-service'
import type { LearnedTagsService } from '../own-tags/learned-tags-service'
import type { SimilarService } from '../own-tags/similar-service'

export interface OwnTagHandlerDeps {
  similar: SimilarService
  duplicates: DuplicatesService
  learned: LearnedTagsService
  /** Saves learned tags as a model in the library. */
  saveModel(input: { name: string; tagIds: number[] }): Promise<ModelSummary>
}

/** Similar photos, near-duplicates and learned tags. */
export function createOwnTagHandlers(deps: OwnTagHandlerDeps): DomainHandlers<typeof ownTagChannels> {
  return {
    'similar:photos': (input) => deps.similar.similar(input),
    'duplicates:find': ({ modelId }) => deps.duplicates.find(modelId),
    'learned:tags': () => deps.learned.list(),
    'learned:learn': ({ tagId, modelId }) => deps.learned.learn(tagId, modelId),
    'learned:forget': ({ tagId }) => deps.learned.forget(tagId),
    'learned:saveModel': (input) => deps.saveModel(input),
  }
}
