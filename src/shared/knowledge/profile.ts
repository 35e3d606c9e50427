import { z } from 'zod'
import { featureLength, layoutWithViews, stageFeatureLength, VALUES_PER_CHANNEL } from './features'

/**
 * A model's knowledge profile: what the photos it knows look like inside it, so that each prediction gets an
 * out-of-distribution score, a known/unknown verdict and calibrated probabilities (`judge`). One JSON file per
 * model (`X.profile.json` beside `X.onnx`), built by `npm run profile` or in the app (`fitProfile`), tied to one
 * exact model file by its sha256.
 *
 * The score (method `stage-gaussian`): for each stage of the features (see `features.ts`), the values it uses
 * (the means, standard deviations and maxima of the early stages, the first half; the means and standard
 * deviations of the others but the last; the last stage's means, the pooled features) go through log1p and are measured against a Gaussian of the known photos: one mean per class (the class the
 * model predicts), one covariance shared by the classes, shrunk towards a multiple of the identity. A stage with
 * more values than `MAX_STAGE_RANK` is first projected onto its principal subspace, and what is left outside that
 * subspace counts as isotropic noise of variance `residualVariance` (probabilistic PCA): the file stays a few MB
 * for a 1,000-class ResNet-50. A photo's score is the sum over the stages of the squared Mahalanobis distance to
 * the nearest class mean (the negative log-likelihood, up to constants, of a Gaussian with one block per stage).
 *
 * The file is JSON throughout (`JSON.stringify` of the parsed object writes it again); large float arrays are
 * little-endian float32, base64-encoded.
 */

/** The `format` every profile file carries. */
export const PROFILE_FORMAT = 'resnet-lens/knowledge-profile'
/** The profile file version this app reads and writes. */
export const PROFILE_VERSION = 2
/** Values per stage above which a stage is projected onto this many principal components. */
export const MAX_STAGE_RANK = 64

const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64')
const Finite = z.number().finite()

const StageSchema = z.object({
  /** The stage's name in the feature layout (conv1, layer1…). */
  name: z.string().min(1),
  channels: z.number().int().positive(),
  /** Which of the stage's values the score uses (the first 1, 2 or 3 of its blocks of `channels` values). */
  use: z.enum(['means+stds+maxes', 'means+stds', 'means']),
  /** Values of the stage the score uses (channels, twice or three times that). */
  dims: z.number().int().positive(),
  /** Dimensions the Gaussian lives in: `dims`, or the principal subspace's size. */
  rank: z.number().int().positive(),
  /** float32[dims]: the mean of the known photos' log1p values. */
  center: Base64,
  /** float32[dims × rank], row-major, orthonormal columns: the principal subspace; absent when rank = dims. */
  basis: Base64.optional(),
  /** Variance of each dimension outside the subspace (with `basis` only). */
  residualVariance: Finite.positive().optional(),
  /** float32[rank × rank], row-major: L⁻¹ for the shrunk shared covariance L·Lᵀ. */
  whitening: Base64,
  /** The classes with a mean (those the model predicted for some known photo), ascending. */
  classes: z.array(z.number().int().nonnegative()),
  /** float32[classes.length × rank]: each class mean, centred, projected and whitened. */
  means: Base64,
})

export const KnowledgeProfileSchema = z.object({
  format: z.literal(PROFILE_FORMAT),
  version: z.literal(PROFILE_VERSION),
  model: z.object({
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    classes: z.number().int().positive(),
    featureLength: z.number().int().positive(),
  }),
  stages: z.array(StageSchema).min(1),
  /** The covariance shrinkage the profile was fitted with (for the record). */
  shrinkage: z.number().min(0).max(1),
  /** A photo is unknown when its score is above this. */
  threshold: Finite,
  /** The shared softmax temperature (1 when the profile was built without labels), for the record. */
  temperature: Finite.positive(),
  /**
   * Per class: the temperature of a photo the model predicts that class for (its logits are divided by it), so the
   * ranking of the classes stays the model's. All 1 when the profile was built without labels.
   */
  classTemperatures: z.array(Finite.positive()),
  /**
   * The logit-only score (`centredEnergy`) above which a photo of this model is unknown, keeping the same share of
   * known photos as `threshold`: used where an engine gives the logits but no features.
   */
  energyThreshold: Finite,
  /** Photos the profile was fitted on. */
  images: z.number().int().nonnegative(),
  /** Share of the known photos (each scored by a profile fitted without it) that `threshold` keeps. */
  keptShare: z.number().min(0).max(1),
  /** What the temperature was fitted to: the photos' folder names, or nothing (temperature 1). */
  labels: z.enum(['folders', 'none']),
  builtAt: z.string(),
})

/** A parsed profile: the JSON as it is in the file (the float arrays are decoded once, when first judged). */
export type KnowledgeProfile = z.infer<typeof KnowledgeProfileSchema>
export type ProfileStage = z.infer<typeof StageSchema>

/** A profile that cannot be used, with a message meant for a person. */
export class ProfileError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ProfileError'
  }
}

/** How many of a stage's blocks of `channels` values (means, stds, maxes: see `features.ts`) a `use` takes. */
export function usedBlocks(use: ProfileStage['use']): number {
  return use === 'means' ? 1 : use === 'means+stds' ? 2 : 3
}

/** A profile's stage with its arrays decoded. */
export interface DecodedStage {
  use: ProfileStage['use']
  channels: number
  /** Where the stage's values start in the feature vector. */
  offset: number
  dims: number
  rank: number
  center: Float32Array
  basis: Float32Array | undefined
  residualVariance: number
  whitening: Float32Array
  means: Float32Array
  classCount: number
}

const decoded = new WeakMap<KnowledgeProfile, DecodedStage[]>()

/**
 * Checks a profile file's JSON for a model: its format and version, the model it was built for, the model's
 * feature size and class count, and every array's size. Throws a `ProfileError` that says what is wrong.
 */
export function parseProfile(
  json: unknown,
  expect: { sha256: string; featureLength: number; classes: number; views?: { flip: boolean; tiles: number } },
): KnowledgeProfile {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ProfileError('The profile file is damaged (not a JSON object).')
  }
  const head = json as { format?: unknown; version?: unknown }
  if (head.version !== undefined && head.version !== PROFILE_VERSION) {
    throw new ProfileError(
      `The profile file has version ${JSON.stringify(head.version)}; this app reads version ${PROFILE_VERSION}. ` +
        'Build the profile again with this version of the app.',
    )
  }
  if (head.format !== PROFILE_FORMAT || head.version === undefined) {
    throw new ProfileError('The profile file is damaged (it is not a knowledge profile: no format or version).')
  }
  const parsed = KnowledgeProfileSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : ''
    throw new ProfileError(`The profile file is damaged (${issue?.message ?? 'invalid'}${where}).`)
  }
  const profile = parsed.data
  if (profile.model.sha256 !== expect.sha256.toLowerCase()) {
    throw new ProfileError(
      `This profile was built for another model (sha256 ${profile.model.sha256.slice(0, 12)}…), ` +
        `not this one (sha256 ${expect.sha256.slice(0, 12)}…).`,
    )
  }
  // A model run on views gives the photo's own statistics, which the profile describes, then the views' part.
  const viewsPart = featureLength(layoutWithViews(profile.stages, expect.views)) - stageFeatureLength(profile)
  if (profile.model.featureLength + viewsPart !== expect.featureLength) {
    throw new ProfileError(
      `The profile describes ${profile.model.featureLength} features per photo; this model gives ` +
        `${expect.featureLength - viewsPart}.`,
    )
  }
  if (profile.model.classes !== expect.classes) {
    throw new ProfileError(
      `The profile was built for ${profile.model.classes} classes; this model has ${expect.classes}.`,
    )
  }
  if (profile.classTemperatures.length !== profile.model.classes) {
    throw new ProfileError(
      `The profile file is damaged (${profile.classTemperatures.length} class temperatures for ${profile.model.classes} classes).`,
    )
  }
  decodeStages(profile)
  return profile
}

/** The profile's stages with their arrays decoded (once per profile object); throws a `ProfileError` on bad sizes. */
export function decodeStages(profile: KnowledgeProfile): DecodedStage[] {
  const cached = decoded.get(profile)
  if (cached) return cached
  let offset = 0
  const stages = profile.stages.map((stage, i): DecodedStage => {
    const label = `stage ${i + 1} (${stage.name})`
    const damaged = (what: string) => new ProfileError(`The profile file is damaged (${label}: ${what}).`)
    const dims = usedBlocks(stage.use) * stage.channels
    if (stage.dims !== dims) throw damaged(`${stage.dims} values, expected ${dims}`)
    if (stage.rank > dims) throw damaged(`rank ${stage.rank} above its ${dims} values`)
    const array = (text: string, length: number, what: string): Float32Array => {
      const values = decodeFloat32(text)
      if (!values) throw damaged(`${what} is not float32 data`)
      if (values.length !== length) throw damaged(`${what} holds ${values.length} values, expected ${length}`)
      for (const v of values) if (!Number.isFinite(v)) throw damaged(`${what} holds a value that is not a number`)
      return values
    }
    const projected = stage.rank < dims
    if (projected !== (stage.basis !== undefined) || projected !== (stage.residualVariance !== undefined)) {
      throw damaged(projected ? 'no principal subspace for its rank' : 'a principal subspace it does not need')
    }
    if (stage.classes.some((c) => c >= profile.model.classes) || stage.classes.length === 0) {
      throw damaged('class indices out of range')
    }
    const result: DecodedStage = {
      use: stage.use,
      channels: stage.channels,
      offset,
      dims,
      rank: stage.rank,
      center: array(stage.center, dims, 'center'),
      basis: stage.basis === undefined ? undefined : array(stage.basis, dims * stage.rank, 'basis'),
      residualVariance: stage.residualVariance ?? 1,
      whitening: array(stage.whitening, stage.rank * stage.rank, 'whitening'),
      means: array(stage.means, stage.classes.length * stage.rank, 'means'),
      classCount: stage.classes.length,
    }
    offset += VALUES_PER_CHANNEL * stage.channels
    return result
  })
  if (offset !== profile.model.featureLength) {
    throw new ProfileError(
      `The profile file is damaged (its stages cover ${offset} features, it says ${profile.model.featureLength}).`,
    )
  }
  decoded.set(profile, stages)
  return stages
}

/** Little-endian float32 values as base64. */
export function encodeFloat32(values: ArrayLike<number>): string {
  const bytes = new Uint8Array(values.length * 4)
  const view = new DataView(bytes.buffer)
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true)
  let binary = ''
  const CHUNK = 0x8000
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK))
  }
  return btoa(binary)
}

/** The values `encodeFloat32` wrote; undefined when the text is not base64 of whole float32s. */
export function decodeFloat32(text: string): Float32Array | undefined {
  let binary: string
  try {
    binary = atob(text)
  } catch {
    return undefined
  }
  if (binary.length % 4 !== 0) return undefined
  const view = new DataView(new ArrayBuffer(binary.length))
  for (let i = 0; i < binary.length; i++) view.setUint8(i, binary.charCodeAt(i))
  const values = new Float32Array(binary.length / 4)
  for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(i * 4, true)
  return values
}
