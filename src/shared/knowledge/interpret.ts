import { embed } from '../embedding/embedding'
import type { EmbeddingSpec } from '../embedding/embedding-spec'
import type { EmbeddingVector } from '../embedding/embedding-vector'
import { rankProbabilities, type ClassScore } from '../engine/postprocess'
import { levelScores, type Hierarchy } from './hierarchy'
import { judge } from './judge'
import type { LevelScore } from './levels'
import type { KnowledgeProfile } from './profile'
import type { Verdict } from './verdict'

/** What an engine knows about its model beyond the graph: the knowledge profile and the label hierarchy. */
export interface Knowledge {
  profile?: KnowledgeProfile
  hierarchy?: Hierarchy
  /** How the model's embedding is made from its features (absent: the engine reads no features). */
  embedding?: EmbeddingSpec
}

/** One photo's classification as every engine reports it. */
export interface Interpretation {
  /** Calibrated probabilities, best first. */
  top: ClassScore[]
  verdict: Verdict
  /** The hierarchy's levels with their summed probability (only where the model's labels have a hierarchy). */
  levels?: LevelScore[]
  /** The photo's embedding, where the engine has the features and the model's embedding spec. */
  embedding?: EmbeddingVector
}

/**
 * Turns one photo's logits (and features, where the engine has them) into calibrated top-k classes, the
 * known/unknown verdict and the hierarchy levels. The same code runs in the engine worker, the window's
 * engine and the command line, so a photo gets the same verdict wherever it is classified.
 */
export function interpret(
  logits: ArrayLike<number>,
  features: Float32Array | undefined,
  labels: readonly string[],
  k: number,
  knowledge: Knowledge,
): Interpretation {
  const { probabilities, verdict } = judge(logits, features, knowledge.profile)
  const result: Interpretation = { top: rankProbabilities(probabilities, labels, k), verdict }
  // A hierarchy of another label list (a card that names the wrong labels) is no hierarchy of this model.
  if (knowledge.hierarchy?.classes.length === probabilities.length) {
    result.levels = levelScores(probabilities, knowledge.hierarchy)
  }
  if (features && knowledge.embedding) {
    result.embedding = { version: knowledge.embedding.version, vector: embed(features, knowledge.embedding) }
  }
  return result
}
