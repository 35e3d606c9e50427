import { embeddingSpecFor } from '../embedding/embedding'
import { layoutWithViews, type FeatureLayout } from './features'
import { parseHierarchy } from './hierarchy'
import type { Knowledge } from './interpret'
import { parseProfile } from './profile'

/** What an engine made of a model's profile, for the model's card, the window and the command line. */
export interface KnowledgeStatus {
  /** `profile`: the profile's verdicts; `energy`: the logit-only fallback. */
  source: 'profile' | 'energy'
  /** Why the fallback is used: no profile file, or the one there was refused (and why). */
  note?: string
}

/** One knowledge file as an engine read it: its text, none, or why it could not be read. */
export type KnowledgeText = { text: string } | { missing: true } | { error: string }

export interface ModelFacts {
  sha256: string
  classes: number
  /** Features per image; undefined when the engine reads none from this model (no stages in its graph). */
  featureLength: number | undefined
  /** The stages the features describe, where the engine knows them: the model's embedding is made from them. */
  layout?: FeatureLayout
  /** The card's views (`preprocessing.views`), for a layout read from the profile. */
  views?: { flip: boolean; tiles: number }
}

/**
 * The knowledge an engine uses, from the profile's and the hierarchy's text however it read them (a file in the
 * main process, a fetch in the window). Nothing here stops the model from classifying: a missing profile, or one
 * that is damaged or belongs to another model, leaves the energy fallback with a note that says why; a hierarchy
 * that cannot be read leaves suggestions at the model's own classes.
 */
export function resolveKnowledge(
  read: { profile: KnowledgeText; hierarchy: KnowledgeText },
  model: ModelFacts,
): { knowledge: Knowledge; status: KnowledgeStatus } {
  const resolved = resolveProfile(read, model)
  const layout = model.layout ?? profileLayout(resolved.knowledge, model.views)
  if (layout && model.featureLength !== undefined) {
    resolved.knowledge.embedding = embeddingSpecFor(layout, resolved.knowledge.profile)
  }
  return resolved
}

/** The feature layout a profile was fitted on (the window's engine knows no other). */
function profileLayout(knowledge: Knowledge, views: ModelFacts['views']): FeatureLayout | undefined {
  const stages = knowledge.profile?.stages
  return (
    stages &&
    layoutWithViews(
      stages.map((stage) => ({ name: stage.name, channels: stage.channels })),
      views,
    )
  )
}

function resolveProfile(
  read: { profile: KnowledgeText; hierarchy: KnowledgeText },
  model: ModelFacts,
): { knowledge: Knowledge; status: KnowledgeStatus } {
  const knowledge: Knowledge = {}
  if ('text' in read.hierarchy) {
    try {
      knowledge.hierarchy = parseHierarchy(JSON.parse(read.hierarchy.text))
    } catch {
      // Suggestions stay at the model's classes.
    }
  }
  const profile = read.profile
  if ('missing' in profile) return { knowledge, status: { source: 'energy', note: 'no profile' } }
  if ('error' in profile) {
    return { knowledge, status: { source: 'energy', note: `profile unreadable (${profile.error})` } }
  }
  if (model.featureLength === undefined) {
    return {
      knowledge,
      status: { source: 'energy', note: 'the profile was not used: the engine reads no features from this model' },
    }
  }
  try {
    let json: unknown
    try {
      json = JSON.parse(profile.text)
    } catch {
      throw new Error('The profile file is damaged (not JSON).')
    }
    knowledge.profile = parseProfile(json, {
      sha256: model.sha256,
      featureLength: model.featureLength,
      views: model.layout?.views ?? model.views,
      classes: model.classes,
    })
    return { knowledge, status: { source: 'profile' } }
  } catch (error) {
    return {
      knowledge,
      status: { source: 'energy', note: `profile refused: ${error instanceof Error ? error.message : String(error)}` },
    }
  }
}
