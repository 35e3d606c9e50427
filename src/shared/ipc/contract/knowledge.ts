import { z } from 'zod'
import { Count, ModelIdInput, NoInput, PickedFolderSchema } from './common'

/** Knowledge profiles: how a model tells what it knows from what it doesn't, and building one from a folder. */

/** What a model's card says about how it knows what it doesn't know (`models:knowledge`). */
export const KnowledgeViewSchema = z.object({
  /** `profile`: verdicts from the model's knowledge profile; `energy`: the logit-only fallback. */
  source: z.enum(['profile', 'energy']),
  /** Why the fallback is used: no profile, or the one there is was refused (and why). */
  note: z.string().optional(),
  /** The profile's photos, when it was built, the share of known photos it keeps, its unknown threshold. */
  images: z.number().int().nonnegative().optional(),
  builtAt: z.string().optional(),
  keptShare: z.number().min(0).max(1).optional(),
  threshold: z.number().optional(),
  /** The profile file was built in the app (it can be deleted; a shipped one, if any, takes over). */
  userBuilt: z.boolean(),
  /** A profile for this model is being built now. */
  building: z.boolean(),
})
export type KnowledgeView = z.infer<typeof KnowledgeViewSchema>

export const ProfilePhaseSchema = z.enum(['reading', 'fitting', 'done', 'failed', 'cancelled'])
export type ProfilePhase = z.infer<typeof ProfilePhaseSchema>

/** A profile build's progress: photos read through the model so far, then the fit, then how it ended. */
export const ProfileProgressSchema = z.object({
  modelId: z.string(),
  phase: ProfilePhaseSchema,
  done: Count,
  total: Count,
  /** Photos per second through the model (0 until known). */
  imagesPerSecond: z.number().nonnegative(),
  /** What came of it (done), or why it failed. */
  message: z.string().optional(),
})
export type ProfileProgress = z.infer<typeof ProfileProgressSchema>

export const knowledgeChannels = {
  /** The model's knowledge profile as the engines read it (validated in main), for its card. */
  'models:knowledge': { input: ModelIdInput, output: KnowledgeViewSchema },
  /** Opens the folder dialog for the photos a profile is built from; null when cancelled. */
  'models:pickProfileFolder': { input: NoInput, output: PickedFolderSchema.nullable() },
  /**
   * Builds a profile for a model from a picked folder (recursively) in the background: `models:profileProgress`
   * follows it. Refused at once when the folder holds too few photos (the message says how many are needed).
   */
  'models:buildProfile': {
    input: ModelIdInput.extend({ token: z.string().uuid(), labelsFromFolders: z.boolean() }),
    output: z.object({ total: Count }),
  },
  /** Stops a build; nothing is written. */
  'models:cancelProfile': { input: ModelIdInput, output: z.object({ cancelled: z.boolean() }) },
  /** Deletes the profile built in the app for a model (a shipped one, if any, takes over). */
  'models:deleteProfile': { input: ModelIdInput, output: KnowledgeViewSchema },
} as const

export const knowledgeEvents = {
  'models:profileProgress': ProfileProgressSchema,
} as const
