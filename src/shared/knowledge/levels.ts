/**
 * A level of the label hierarchy that people use as a tag (dog, bird, vehicle, food…) with the summed
 * probability of the model's classes under it. Computed where the whole probability vector is at hand
 * (the engines), so the tag store can back off from an unsure class to a sure ancestor.
 */
export interface LevelScore {
  /** The level's tag, e.g. "dog". */
  label: string
  /** From the hierarchy's top to this level, inclusive: ["animal", "dog"]. */
  path: string[]
  /** Sum of the calibrated probabilities of the classes under this level. */
  p: number
}
