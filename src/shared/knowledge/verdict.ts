/**
 * Whether a photo is one of the things the model knows. Every classification carries one.
 */
export interface Verdict {
  /** True when the photo is none of the model's classes: it gets no suggested tags and goes to `_unknown/`. */
  unknown: boolean
  /**
   * Out-of-distribution score: higher means less like what the model knows. Comparable across photos of one
   * model (and one profile); not across models.
   */
  ood: number
  /** Where the score comes from: the model's knowledge profile, or the logit-only fallback (energy). */
  source: 'profile' | 'energy'
}
