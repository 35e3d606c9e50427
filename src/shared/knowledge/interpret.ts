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
}

/** One photo's classification as every engine reports it. */
export interface Interpretation {
  /** Calibrated probabilities, best first. */
  top: ClassScore[]
  verdict: Verdict
  /** The hierarchy's levels with their summed probability (only where the model's labels have a hierarchy). */
  levels?: LevelScore[]
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
  const top = rankProbabilities(probabilities, labels, k)
  // A hierarchy of another label list (a card that names the wrong labels) is no hierarchy of this model.
  if (knowledge.hierarchy?.classes.length !== probabilities.length) return { top, verdict }
  return { top, verdict, levels: levelScores(probabilities, knowledge.hierarchy) }
}
