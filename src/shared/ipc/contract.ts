import { z } from 'zod'
import { ENGINE_KINDS } from '../engine/engine-kind'
import { GraphSummarySchema, ModelCardSchema, PreprocessingSchema } from '../model-card'

/**
 * The one IPC contract between the renderer and the main process. Every channel names the schema of
 * its request and of its reply; the main process parses requests, the renderer parses replies.
 * Events flow the other way (main → renderer), each with its payload schema.
 */

export const AppInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  platform: z.string(),
  dataDir: z.string(),
})
export type AppInfo = z.infer<typeof AppInfoSchema>

export const ModelSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  builtin: z.boolean(),
  active: z.boolean(),
  /** Where it came from: 'bundled', 'imported' (a file) or 'catalog' (downloaded). */
  origin: z.enum(['bundled', 'imported', 'catalog']),
  source: z.string(),
  classes: z.number().int().positive(),
  inputSize: z.tuple([z.number().int().positive(), z.number().int().positive()]),
  fileBytes: z.number().int().nonnegative(),
  sha256: z.string(),
  addedAt: z.string(),
  labelsSource: z.string().optional(),
  graph: GraphSummarySchema.optional(),
})
export type ModelSummary = z.infer<typeof ModelSummarySchema>

export const ActiveModelSchema = z.object({
  card: ModelCardSchema,
  /**
   * Where the renderer fetches the model's bytes: a path on the app's own origin. The copy that also returns the
   * photo's features (the model itself where it has none).
   */
  modelUrl: z.string().startsWith('/'),
  /** The model's knowledge profile (404 when it has none) and its labels' hierarchy (404 when none ships). */
  profileUrl: z.string().startsWith('/'),
  hierarchyUrl: z.string().startsWith('/'),
})
export type ActiveModel = z.infer<typeof ActiveModelSchema>

export const BUILTIN_LABEL_LISTS = ['imagenet-1k', 'cifar10'] as const
export const LabelsChoiceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('builtin'), id: z.enum(BUILTIN_LABEL_LISTS) }),
  z.object({
    kind: z.literal('list'),
    /** The file the person picked, for the card. */
    source: z.string().max(300),
    labels: z.array(z.string().max(300)).min(1).max(100_000),
  }),
])
export type LabelsChoice = z.infer<typeof LabelsChoiceSchema>

/** A file the person chose in a dialog (or dropped): the main process keeps its path behind a token. */
export const PickedFileSchema = z.object({
  token: z.string().uuid(),
  name: z.string(),
  bytes: z.number().int().nonnegative(),
})
export type PickedFile = z.infer<typeof PickedFileSchema>

export const PickedLabelsSchema = z.object({ source: z.string(), labels: z.array(z.string()) })
export type PickedLabels = z.infer<typeof PickedLabelsSchema>

/** What the importer read from a file before it is added: shown for the person to confirm. */
export const ImportPreviewSchema = z.object({
  token: z.string().uuid(),
  fileName: z.string(),
  fileBytes: z.number().int().nonnegative(),
  suggestedName: z.string(),
  input: z.object({
    name: z.string(),
    shape: z.array(z.union([z.number(), z.string()])),
    height: z.number().int().positive(),
    width: z.number().int().positive(),
  }),
  output: z.object({ name: z.string(), classes: z.number().int().positive() }),
  graph: GraphSummarySchema,
  /** The built-in labels that fit the output size, if any. */
  suggestedLabels: z.enum(BUILTIN_LABEL_LISTS).optional(),
  preprocessing: PreprocessingSchema,
  /** Set when the very same file (by sha256) is already in the library. */
  existingModelId: z.string().optional(),
})
export type ImportPreview = z.infer<typeof ImportPreviewSchema>

export const ImportRequestSchema = z.object({
  token: z.string().uuid(),
  name: z.string().trim().min(1).max(120),
  labels: LabelsChoiceSchema,
  preprocessing: PreprocessingSchema,
})
export type ImportRequest = z.infer<typeof ImportRequestSchema>

export const ImportResultSchema = z.object({
  model: ModelSummarySchema,
  /** True when the file was already in the library (recognised by its sha256); nothing was added. */
  alreadyPresent: z.boolean(),
})

export const CatalogEntryStatusSchema = z.object({
  id: z.string(),
  name: z.string(),
  file: z.string(),
  bytes: z.number().int().positive(),
  sha256: z.string(),
  top1: z.number().optional(),
  top5: z.number().optional(),
  state: z.enum(['available', 'downloading', 'partial', 'installed']),
  /** Bytes already on disk from an interrupted download (resumable). */
  partialBytes: z.number().int().nonnegative(),
  installedModelId: z.string().optional(),
})
export type CatalogEntryStatus = z.infer<typeof CatalogEntryStatusSchema>

export const DownloadProgressSchema = z.object({
  id: z.string(),
  state: z.enum(['downloading', 'verifying', 'done', 'failed', 'cancelled']),
  received: z.number().nonnegative(),
  total: z.number().nonnegative(),
  bytesPerSecond: z.number().nonnegative(),
  error: z.string().optional(),
  modelId: z.string().optional(),
})
export type DownloadProgress = z.infer<typeof DownloadProgressSchema>

const LayerSchema = z.object({
  op: z.string(),
  filters: z.number().int(),
  kernel: z.tuple([z.number().int(), z.number().int()]).nullable(),
  stride: z.tuple([z.number().int(), z.number().int()]).nullable(),
  groups: z.number().int(),
  params: z.number().int(),
  macs: z.number(),
})

export const BlockDetailSchema = z.object({
  index: z.number().int(),
  type: z.enum(['basic', 'bottleneck', 'other']),
  groups: z.number().int(),
  filters: z.array(z.number().int()),
  kernels: z.array(z.string()),
  /** Which branch convolution strides (halves the map), or null. */
  strideAt: z.number().int().nullable(),
  shortcut: z.enum(['identity', 'projection', 'option-a', 'other']),
  shortcutConv: LayerSchema.nullable(),
  input: z.array(z.number().int()),
  output: z.array(z.number().int()),
  params: z.number().int(),
  macs: z.number(),
})
export type BlockDetail = z.infer<typeof BlockDetailSchema>

export const StageDetailSchema = z.object({
  name: z.string(),
  paperName: z.string().optional(),
  kind: z.enum(['stem', 'pool', 'residual', 'global-pool', 'classifier']),
  blocks: z.number().int(),
  blockType: z.enum(['basic', 'bottleneck', 'other']).nullable(),
  output: z.array(z.number().int()),
  params: z.number().int(),
  macs: z.number(),
  /** Weighted layers counted for the depth. */
  layers: z.number().int(),
  ownLayers: z.array(LayerSchema),
  residualBlocks: z.array(BlockDetailSchema),
})
export type StageDetail = z.infer<typeof StageDetailSchema>

/** Everything the Architecture view and the Activations panel need about one model. */
export const ArchitectureSchema = z.object({
  id: z.string(),
  name: z.string(),
  architecture: z.string(),
  input: z.object({ height: z.number().int(), width: z.number().int(), assumed: z.boolean() }),
  params: z.number().int(),
  /** The count before batch norms were folded into the convolutions (the framework's figure). */
  paramsUnfolded: z.number().int(),
  macs: z.number(),
  depth: z.number().int().nullable(),
  depthFormula: z.string().nullable(),
  depthExplanation: z.string().nullable(),
  batchNorm: z.enum(['nodes', 'folded', 'none']),
  notes: z.array(z.string()),
  stages: z.array(StageDetailSchema),
  /** The stage outputs the tapped model returns beside the logits, in stage order. */
  taps: z.array(z.object({ stage: z.string(), tensor: z.string(), shape: z.array(z.number().int()) })),
  /** The tapped model (for activations) and the classifier's weights (Float32 LE: weights, then bias). */
  tappedModelUrl: z.string().startsWith('/'),
  head: z
    .object({
      url: z.string().startsWith('/'),
      classes: z.number().int(),
      channels: z.number().int(),
      /** The stage whose globally pooled output the classifier reads (the CAM's maps). */
      featureStage: z.string(),
    })
    .nullable(),
})
export type Architecture = z.infer<typeof ArchitectureSchema>

// ---- Photo library and tags ----

const PhotoId = z.number().int().positive()
const PhotoIds = z.array(PhotoId).min(1).max(50_000)
const TagId = z.number().int().positive()

export const PhotoTagSchema = z.object({
  tagId: z.number().int(),
  name: z.string(),
  source: z.enum(['model', 'person']),
  status: z.enum(['suggested', 'accepted', 'rejected']),
  score: z.number().nullable(),
  modelId: z.string().nullable(),
})
export type PhotoTagItem = z.infer<typeof PhotoTagSchema>

/** Whether a photo is one of the things a model knows (see `src/shared/knowledge/verdict.ts`), as engines send it. */
export const VerdictSchema = z.object({
  unknown: z.boolean(),
  /** Out-of-distribution score: higher means less like what the model knows. */
  ood: z.number(),
  source: z.enum(['profile', 'energy']),
})

/** A level of the label hierarchy with the summed probability of its classes (`src/shared/knowledge/levels.ts`). */
export const LevelScoreSchema = z.object({
  label: z.string().min(1).max(300),
  path: z.array(z.string().max(300)).min(1).max(64),
  p: z.number().min(0).max(1),
})

/** A verdict as the library stored it: results recorded before verdicts are known, with no score. */
export const StoredVerdictSchema = z.object({
  unknown: z.boolean(),
  ood: z.number().nullable(),
  source: z.enum(['profile', 'energy']).nullable(),
})
export type StoredVerdictItem = z.infer<typeof StoredVerdictSchema>

/** One model's verdict on a photo of the grid, with its closest class (a hint, never a tag). */
export const PhotoVerdictSchema = StoredVerdictSchema.extend({
  modelId: z.string(),
  /** The model's top-1: for an unknown photo, the class it is closest to. */
  closest: z.object({ label: z.string(), p: z.number() }).nullable(),
})
export type PhotoVerdictItem = z.infer<typeof PhotoVerdictSchema>

export const PhotoItemSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  path: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  status: z.enum(['present', 'missing']),
  takenAt: z.string().nullable(),
  thumbUrl: z.string().startsWith('/'),
  photoUrl: z.string().startsWith('/'),
  tags: z.array(PhotoTagSchema),
  /** One per model that classified the photo (not those that failed on it), by model id. */
  verdicts: z.array(PhotoVerdictSchema),
})
export type PhotoItem = z.infer<typeof PhotoItemSchema>

export const PhotoFilterSchema = z.object({
  tagIds: z.array(TagId).max(20).optional(),
  needsReview: z.boolean().optional(),
  status: z.enum(['present', 'missing']).optional(),
  modelId: z.string().max(100).optional(),
  minProbability: z.number().min(0).max(1).optional(),
  maxProbability: z.number().min(0).max(1).optional(),
  tagQuery: z.string().max(200).optional(),
  /** 'unknown': photos the model (`modelId`; without it, any model) found to be none of its classes. */
  verdict: z.enum(['unknown', 'known']).optional(),
})
export type PhotoFilterInput = z.infer<typeof PhotoFilterSchema>

export const IngestReportSchema = z.object({
  added: z.number().int(),
  moved: z.number().int(),
  updated: z.number().int(),
  restored: z.number().int(),
  unchanged: z.number().int(),
  missing: z.number().int(),
  skipped: z.array(z.object({ path: z.string(), reason: z.string() })),
  photoIds: z.array(z.number().int()),
  cancelled: z.boolean(),
})
export type IngestReportResult = z.infer<typeof IngestReportSchema>

export const TagCountSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  accepted: z.number().int(),
  suggested: z.number().int(),
  rejected: z.number().int(),
  photos: z.number().int(),
})
export type TagCountItem = z.infer<typeof TagCountSchema>

const PhotoTagStateSchema = z.object({
  source: z.enum(['model', 'person']),
  status: z.enum(['suggested', 'accepted', 'rejected']),
  score: z.number().nullable(),
  modelId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
})
/** What a tag decision changed: the renderer keeps it to undo the decision. */
export const TagChangeSchema = z.object({
  action: z.enum(['accept', 'reject', 'add', 'remove']),
  tagId: z.number().int(),
  createdTag: z.boolean(),
  entries: z.array(z.object({ photoId: z.number().int(), before: PhotoTagStateSchema.nullable() })).max(50_000),
})
export type TagChangeItem = z.infer<typeof TagChangeSchema>

export const ReviewCursorSchema = z.object({
  tagId: z.number().int(),
  name: z.string(),
  score: z.number(),
  photoId: z.number().int(),
})
export const ReviewItemSchema = z.object({
  photoId: z.number().int(),
  name: z.string(),
  path: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  tagId: z.number().int(),
  tag: z.string(),
  score: z.number(),
  modelId: z.string().nullable(),
  thumbUrl: z.string(),
  photoUrl: z.string(),
})
export type ReviewItemResult = z.infer<typeof ReviewItemSchema>

const ScoredClassSchema = z.object({
  index: z.number().int().nonnegative(),
  label: z.string(),
  p: z.number().min(0).max(1),
})
export const ClassificationResultSchema = z.union([
  z.object({
    photoId: PhotoId,
    top: z.array(ScoredClassSchema).min(1).max(1000),
    /** Absent: known (an engine from before verdicts). */
    verdict: VerdictSchema.optional(),
    levels: z.array(LevelScoreSchema).max(1000).optional(),
  }),
  z.object({ photoId: PhotoId, error: z.string().max(1000) }),
])

export const LibraryProgressSchema = z.object({
  phase: z.enum(['scanning', 'done']),
  found: z.number().int(),
  done: z.number().int(),
})

// ---- Folder jobs and organize ----

const JobId = z.number().int().positive()
const RunId = z.number().int().positive()
const Count = z.number().int().nonnegative()
export const JobStateSchema = z.enum(['queued', 'running', 'paused', 'cancelled', 'done', 'failed'])
export type JobStateName = z.infer<typeof JobStateSchema>

/** A folder job: scan a folder into the library and classify its photos with one model. */
export const JobItemSchema = z.object({
  id: JobId,
  folder: z.string(),
  /** The folder's own name, for lists. */
  folderName: z.string(),
  modelId: z.string(),
  /** The model's name in the library (its id when the model is gone). */
  modelName: z.string(),
  state: JobStateSchema,
  /** Photos of the folder; of them, classified by this job, failed, and already classified before. */
  total: Count,
  classified: Count,
  failed: Count,
  reused: Count,
  /** Files the scan could not take (not an image, unreadable). */
  skipped: Count,
  /** Why the job failed. */
  message: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
})
export type JobItem = z.infer<typeof JobItemSchema>

export const JobProgressSchema = z.object({
  jobId: JobId,
  state: JobStateSchema,
  phase: z.enum(['scanning', 'classifying', 'finished']),
  /** Photos with a result (classified, failed or reused); while scanning, files handled. */
  done: Count,
  /** Photos of the folder; while scanning, files found so far. */
  total: Count,
  /** Images per second through the model (0 until known). */
  rate: z.number().nonnegative(),
  /** Seconds left at that rate; null when unknown. */
  eta: z.number().nonnegative().nullable(),
  /** The file whose result arrived last. */
  current: z.string().nullable(),
  /** Files with an error so far (scan or classify). */
  errors: Count,
})
export type JobProgressItem = z.infer<typeof JobProgressSchema>

export const JobErrorSchema = z.object({
  stage: z.enum(['scan', 'classify']),
  path: z.string(),
  reason: z.string(),
  at: z.string(),
})
export type JobErrorItem = z.infer<typeof JobErrorSchema>

/** A folder the person chose in a dialog: the main process keeps its path behind the token. */
export const PickedFolderSchema = z.object({
  token: z.string().uuid(),
  name: z.string(),
  /** For display only: requests name the token, never the path. */
  path: z.string(),
})
export type PickedFolder = z.infer<typeof PickedFolderSchema>

export const OrganizeModeSchema = z.enum(['copy', 'move'])
export type OrganizeModeName = z.infer<typeof OrganizeModeSchema>
export const OrganizeActionSchema = z.enum(['organize', 'rollback', 'undo'])
export type OrganizeActionName = z.infer<typeof OrganizeActionSchema>
export const OrganizeRunStateSchema = z.enum(['running', 'done', 'rolling-back', 'rolled-back', 'undoing', 'undone'])
export type OrganizeRunStateName = z.infer<typeof OrganizeRunStateSchema>

/** Where an organize step goes: its class's folder, `_uncertain` or `_unknown`. */
export const OrganizeKindSchema = z.enum(['class', 'uncertain', 'unknown'])
export type OrganizeKindName = z.infer<typeof OrganizeKindSchema>

/** What an organize run would do: the folders with their counts, the first steps, what stays. */
export const OrganizePlanPreviewSchema = z.object({
  /** Names the plan the main process keeps; `organize:execute` takes only this. */
  planId: z.string().uuid(),
  jobId: JobId,
  folder: z.string(),
  out: z.string(),
  mode: OrganizeModeSchema,
  threshold: z.number().min(0).max(1),
  /**
   * One per folder under `out`, most files first. kind 'class': the folder of `label`; 'uncertain':
   * `_uncertain` (known, top-1 under the threshold); 'unknown': `_unknown` (none of the model's classes).
   * `label` is null for the last two.
   */
  groups: z.array(
    z.object({ folder: z.string(), label: z.string().nullable(), kind: OrganizeKindSchema, count: Count }),
  ),
  /** The first steps, in source path order (destinations relative to `out`); `p` is the top-1 probability. */
  steps: z.array(
    z.object({
      source: z.string(),
      dest: z.string(),
      folder: z.string(),
      label: z.string().nullable(),
      kind: OrganizeKindSchema,
      p: z.number(),
    }),
  ),
  totalSteps: Count,
  /** The first photos left where they are, with the reason. */
  skipped: z.array(z.object({ path: z.string(), reason: z.string() })),
  skippedCount: Count,
})
export type OrganizePlanPreview = z.infer<typeof OrganizePlanPreviewSchema>

export const OrganizeRunItemSchema = z.object({
  id: RunId,
  jobId: z.number().int().nullable(),
  modelId: z.string(),
  folder: z.string().nullable(),
  out: z.string(),
  mode: OrganizeModeSchema,
  threshold: z.number(),
  state: OrganizeRunStateSchema,
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  undoneAt: z.string().nullable(),
  total: Count,
  /** Steps by state. */
  steps: z.object({
    pending: Count,
    started: Count,
    done: Count,
    failed: Count,
    undoing: Count,
    undone: Count,
    kept: Count,
  }),
  /** What the app is doing with it right now, if anything. */
  busy: OrganizeActionSchema.nullable(),
  /** Left half done by a crash or a quit: to be finished (or rolled back). */
  interrupted: z.boolean(),
  /** The first files it could not place or put back, with the reason. */
  problems: z.array(z.object({ source: z.string(), dest: z.string(), reason: z.string() })),
})
export type OrganizeRunItem = z.infer<typeof OrganizeRunItemSchema>

export const OrganizeProgressSchema = z.object({
  runId: RunId,
  action: OrganizeActionSchema,
  /** Steps settled (for undo and rollback: reversed or kept). */
  done: Count,
  total: Count,
  failed: Count,
  /** Files per second (0 until known). */
  rate: z.number().nonnegative(),
  /** Seconds left at that rate; null when unknown. */
  eta: z.number().nonnegative().nullable(),
  current: z.string().nullable(),
})
export type OrganizeProgressItem = z.infer<typeof OrganizeProgressSchema>

const JobIdInput = z.object({ jobId: JobId })
const RunIdInput = z.object({ runId: RunId })
const RunStarted = z.object({ runId: RunId })

export const EngineKindSchema = z.enum(ENGINE_KINDS)

/** One engine's figure for a model on this machine: img/s through the model, or why it is not available. */
export const EngineMeasurementSchema = z.object({
  engine: EngineKindSchema,
  imagesPerSecond: z.number().positive().nullable(),
  note: z.string().nullable(),
  measuredAt: z.string(),
})

/** The engine batch jobs use for a model, why, and the figures behind it (none before the first measurement). */
export const EngineChoiceSchema = z.object({
  modelId: z.string(),
  /** The engine asked for in settings; null: the fastest measured. */
  override: EngineKindSchema.nullable(),
  choice: z
    .object({ engine: EngineKindSchema, reason: z.string(), measurements: z.array(EngineMeasurementSchema) })
    .nullable(),
})
export type EngineChoiceView = z.infer<typeof EngineChoiceSchema>

/** The main process asks the window to measure WebGPU for a model (only the renderer has WebGPU). */
export const WebgpuMeasureRequestSchema = z.object({
  requestId: z.number().int().positive(),
  modelId: z.string(),
  modelUrl: z.string().startsWith('/'),
  input: z.object({ height: z.number().int().positive(), width: z.number().int().positive() }),
})

// ---- Knowledge profiles ----

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

const NoInput = z.undefined()
const ModelId = z.object({ id: z.string().min(1).max(100) })
const ModelList = z.array(ModelSummarySchema)

export const contract = {
  'app:info': { input: NoInput, output: AppInfoSchema },
  'models:list': { input: NoInput, output: ModelList },
  'models:active': { input: NoInput, output: ActiveModelSchema },
  /** The model's stages and blocks as read from its graph, with what activations need. */
  'models:architecture': { input: ModelId, output: ArchitectureSchema },
  'models:setActive': { input: ModelId, output: ModelList },
  'models:rename': { input: ModelId.extend({ name: z.string().trim().min(1).max(120) }), output: ModelList },
  'models:delete': { input: ModelId, output: ModelList },
  /** Opens the system's file dialog for an .onnx file; null when the person cancels. */
  'models:pickFile': { input: NoInput, output: PickedFileSchema.nullable() },
  /**
   * A model file dropped on the window: the preload turns the dropped File into its path (Electron's
   * webUtils); only `.onnx` files are granted, and the file is only ever read as a model.
   */
  'models:grantDropped': { input: z.object({ path: z.string().min(1).max(4096) }), output: PickedFileSchema },
  /** Reads the graph of a picked file and proposes a card; throws a clear message for a bad file. */
  'models:inspect': { input: z.object({ token: z.string().uuid() }), output: ImportPreviewSchema },
  'models:import': { input: ImportRequestSchema, output: ImportResultSchema },
  /** Opens the file dialog for a labels file (one label per line, or a JSON array) and reads it. */
  'labels:pickFile': { input: NoInput, output: PickedLabelsSchema.nullable() },
  'catalog:list': { input: NoInput, output: z.array(CatalogEntryStatusSchema) },
  'catalog:download': { input: ModelId, output: z.object({ started: z.boolean() }) },
  'catalog:cancel': { input: ModelId, output: z.object({ cancelled: z.boolean() }) },
  /** The model's knowledge profile as the engines read it (validated in main), for its card. */
  'models:knowledge': { input: ModelId, output: KnowledgeViewSchema },
  /** Opens the folder dialog for the photos a profile is built from; null when cancelled. */
  'models:pickProfileFolder': { input: NoInput, output: PickedFolderSchema.nullable() },
  /**
   * Builds a profile for a model from a picked folder (recursively) in the background: `models:profileProgress`
   * follows it. Refused at once when the folder holds too few photos (the message says how many are needed).
   */
  'models:buildProfile': {
    input: ModelId.extend({ token: z.string().uuid(), labelsFromFolders: z.boolean() }),
    output: z.object({ total: Count }),
  },
  /** Stops a build; nothing is written. */
  'models:cancelProfile': { input: ModelId, output: z.object({ cancelled: z.boolean() }) },
  /** Deletes the profile built in the app for a model (a shipped one, if any, takes over). */
  'models:deleteProfile': { input: ModelId, output: KnowledgeViewSchema },

  /** Adds dropped files and folders (paths from the preload's pathForFile) to the photo library. */
  'library:addPaths': {
    input: z.object({ paths: z.array(z.string().min(1).max(4096)).min(1).max(10_000) }),
    output: IngestReportSchema,
  },
  /** Opens the folder dialog and adds what the person picks; null when cancelled. */
  'library:pickFolders': { input: NoInput, output: IngestReportSchema.nullable() },
  'library:photos': {
    input: z.object({
      filter: PhotoFilterSchema.default({}),
      after: z.number().int().nullable().optional(),
      limit: z.number().int().min(1).max(1000).optional(),
    }),
    output: z.object({
      photos: z.array(PhotoItemSchema),
      nextAfter: z.number().int().nullable(),
      total: z.number().int(),
    }),
  },
  'library:photo': {
    input: z.object({ id: PhotoId }),
    output: z.object({
      photo: PhotoItemSchema,
      predictions: z.array(
        z.object({
          modelId: z.string(),
          top: z.array(z.object({ rank: z.number().int(), index: z.number().int(), label: z.string(), p: z.number() })),
          /** Whether the photo is one of the model's classes: an unknown photo's top is only the closest. */
          verdict: StoredVerdictSchema,
          /** The hierarchy levels the model gave, most specific first. */
          levels: z.array(LevelScoreSchema),
        }),
      ),
    }),
  },
  /** Photos the model has not classified yet (the renderer's engine classifies them). */
  'library:pending': {
    input: z.object({ modelId: z.string().max(100), limit: z.number().int().min(1).max(1000).optional() }),
    output: z.array(z.object({ id: z.number().int(), name: z.string(), photoUrl: z.string() })),
  },
  /** Each photo's predictions in its own transaction; suggestions at or above the threshold become suggested tags. */
  'library:recordResults': {
    input: z.object({ modelId: z.string().max(100), results: z.array(ClassificationResultSchema).min(1).max(1000) }),
    output: z.object({ recorded: z.number().int(), failed: z.number().int() }),
  },
  'library:tags': { input: NoInput, output: z.array(TagCountSchema) },
  'library:searchTags': { input: z.object({ query: z.string().max(200) }), output: z.array(TagCountSchema) },
  'library:threshold': { input: NoInput, output: z.object({ threshold: z.number() }) },
  'library:setThreshold': {
    input: z.object({ threshold: z.number().min(0.01).max(1) }),
    output: z.object({ suggested: z.number().int(), withdrawn: z.number().int() }),
  },
  'tags:accept': { input: z.object({ photoIds: PhotoIds, tagId: TagId }), output: TagChangeSchema },
  'tags:reject': { input: z.object({ photoIds: PhotoIds, tagId: TagId }), output: TagChangeSchema },
  'tags:add': {
    input: z.object({ photoIds: PhotoIds, name: z.string().trim().min(1).max(120) }),
    output: TagChangeSchema,
  },
  'tags:remove': { input: z.object({ photoIds: PhotoIds, tagId: TagId }), output: TagChangeSchema },
  'tags:undo': { input: z.object({ change: TagChangeSchema }), output: z.object({ undone: z.boolean() }) },
  'tags:rename': {
    input: z.object({ tagId: TagId, name: z.string().trim().min(1).max(120) }),
    output: z.object({ id: z.number().int(), name: z.string() }),
  },
  'tags:merge': {
    input: z.object({ sourceIds: z.array(TagId).min(1).max(100), targetId: TagId }),
    output: z.object({ moved: z.number().int(), combined: z.number().int() }),
  },
  'review:groups': {
    input: NoInput,
    output: z.array(
      z.object({ tagId: z.number().int(), name: z.string(), count: z.number().int(), lowestScore: z.number() }),
    ),
  },
  'review:queue': {
    input: z.object({
      tagId: TagId.optional(),
      after: ReviewCursorSchema.nullable().optional(),
      limit: z.number().int().min(1).max(500).optional(),
    }),
    output: z.object({ items: z.array(ReviewItemSchema), next: ReviewCursorSchema.nullable() }),
  },
  /** Writes the accepted tags of these photos to XMP sidecars (`photo.jpg.xmp`), merging into existing ones. */
  'library:writeSidecars': {
    input: z.object({ photoIds: PhotoIds }),
    output: z.object({
      written: z.number().int(),
      unchanged: z.number().int(),
      failed: z.array(z.object({ path: z.string(), reason: z.string() })),
    }),
  },
  /** Asks where to save, then exports every photo's predictions and tags; null when cancelled. */
  'library:export': {
    input: z.object({ format: z.enum(['csv', 'json']) }),
    output: z.object({ path: z.string(), rows: z.number().int() }).nullable(),
  },
  /** Every folder job, most recent first. */
  'jobs:list': { input: NoInput, output: z.array(JobItemSchema) },
  /** Opens the folder dialog for a job's folder; null when cancelled. */
  'jobs:pickFolder': { input: NoInput, output: PickedFolderSchema.nullable() },
  /** Creates a job for a picked folder and starts it (after any job running); the model defaults to the active one. */
  'jobs:start': {
    input: z.object({ folderToken: z.string().uuid(), modelId: z.string().min(1).max(100).optional() }),
    output: JobItemSchema,
  },
  /** Stops a job after the image in flight; resume picks it up where it stopped. */
  'jobs:pause': { input: JobIdInput, output: JobItemSchema },
  /** Runs a paused, failed or interrupted job again from where it stopped. */
  'jobs:resume': { input: JobIdInput, output: JobItemSchema },
  'jobs:cancel': { input: JobIdInput, output: JobItemSchema },
  /** A page of the files a job could not take or classify, with the reason. */
  'jobs:errors': {
    input: JobIdInput.extend({
      offset: z.number().int().nonnegative().optional(),
      limit: z.number().int().min(1).max(1000).optional(),
    }),
    output: z.object({ errors: z.array(JobErrorSchema), total: Count }),
  },
  /** Opens the folder dialog for the output of an organize run; null when cancelled. */
  'organize:pickOut': { input: NoInput, output: PickedFolderSchema.nullable() },
  /** Plans organizing a finished job's photos into the picked folder; nothing is touched yet. */
  'organize:plan': {
    input: JobIdInput.extend({
      outToken: z.string().uuid(),
      threshold: z.number().min(0).max(1),
      mode: OrganizeModeSchema,
    }),
    output: OrganizePlanPreviewSchema,
  },
  /** Starts carrying out a plan in the background; `organize:progress` and `organize:changed` follow it. */
  'organize:execute': { input: z.object({ planId: z.string().uuid() }), output: RunStarted },
  /** Stops an organize, undo or rollback after the file in flight. */
  'organize:cancel': { input: RunIdInput, output: z.object({ cancelled: z.boolean() }) },
  /** Organize runs, most recent first: a job's, or all. */
  'organize:runs': {
    input: z.object({ jobId: JobId.optional() }),
    output: z.array(OrganizeRunItemSchema),
  },
  /** Undoes a finished run in the background: copies removed, moved files put back. */
  'organize:undo': { input: RunIdInput, output: RunStarted },
  /** Puts back what an interrupted run did, in the background. */
  'organize:rollback': { input: RunIdInput, output: RunStarted },
  /** Finishes an interrupted run, in the background. */
  'organize:resume': { input: RunIdInput, output: RunStarted },
  /** The engine batch jobs use for a model, from the figures measured so far (nothing is measured). */
  'engine:choice': { input: ModelId, output: EngineChoiceSchema },
  /** Measures every engine for a model on this machine (a few seconds), then chooses. */
  'engine:measure': { input: ModelId, output: EngineChoiceSchema },
  /** The engine for batch jobs from now on; null: the fastest measured. */
  'engine:setOverride': {
    input: z.object({ engine: EngineKindSchema.nullable() }),
    output: z.object({ override: EngineKindSchema.nullable() }),
  },
  /** The window's answer to `engine:classifyBatch`: each photo's result, or why it could not run the batch. */
  'engine:batchResults': {
    input: z.union([
      z.object({ requestId: z.number().int().positive(), results: z.array(ClassificationResultSchema).max(1000) }),
      z.object({ requestId: z.number().int().positive(), error: z.string().max(1000) }),
    ]),
    output: z.object({ accepted: z.boolean() }),
  },
  /** The window's answer to `engine:measureWebgpu`. */
  'engine:webgpuMeasured': {
    input: z.object({
      requestId: z.number().int().positive(),
      imagesPerSecond: z.number().positive().nullable(),
      note: z.string().max(500).nullable(),
    }),
    output: z.object({ accepted: z.boolean() }),
  },
} as const

/** Main → renderer events. */
export const events = {
  'catalog:progress': DownloadProgressSchema,
  'models:profileProgress': ProfileProgressSchema,
  'library:progress': LibraryProgressSchema,
  /** Photos were added or changed: grids and counts should refresh. */
  'library:changed': z.object({ reason: z.enum(['added', 'classified', 'tags']) }),
  'jobs:progress': JobProgressSchema,
  /** A job was created, or stopped (done, paused, cancelled, failed): lists should refresh. */
  'jobs:changed': z.object({ jobId: JobId, state: JobStateSchema }),
  'organize:progress': OrganizeProgressSchema,
  /** An organize, undo or rollback began or ended (`error` when it could not go on): histories should refresh. */
  'organize:changed': z.object({
    runId: RunId,
    jobId: z.number().int().nullable(),
    action: OrganizeActionSchema,
    state: OrganizeRunStateSchema,
    busy: z.boolean(),
    error: z.string().optional(),
  }),
  /** Measure WebGPU for this model and answer with `engine:webgpuMeasured`. */
  'engine:measureWebgpu': WebgpuMeasureRequestSchema,
  /** A batch job's photos for the window's engine (WebGPU on a hardware adapter); answer with `engine:batchResults`. */
  'engine:classifyBatch': z.object({
    requestId: z.number().int().positive(),
    modelId: z.string(),
    photos: z.array(z.object({ id: PhotoId, name: z.string(), photoUrl: z.string().startsWith('/') })).max(1000),
  }),
} as const

export type Contract = typeof contract
export type Channel = keyof Contract
export type ChannelInput<C extends Channel> = z.input<Contract[C]['input']>
export type ChannelOutput<C extends Channel> = z.output<Contract[C]['output']>
export type EventName = keyof typeof events
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>

export const channelNames = Object.keys(contract) as Channel[]
export const eventNames = Object.keys(events) as EventName[]

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && Object.hasOwn(contract, value)
}

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && Object.hasOwn(events, value)
}

/** What the preload script (and the test bridge) expose to the page as `window.api`. */
export interface Bridge {
  invoke(channel: string, input?: unknown): Promise<unknown>
  /** Subscribes to a main-process event; returns the unsubscribe function. */
  on(event: string, listener: (payload: unknown) => void): () => void
  /** The path of a File dropped from the file manager ('' when it has none, as in a plain browser). */
  pathForFile(file: object): string
}

/** Handlers for every channel, as the main process implements them. */
export type HandlerTable = {
  [C in Channel]: (input: z.output<Contract[C]['input']>) => ChannelOutput<C> | Promise<ChannelOutput<C>>
}

/** How the main process pushes an event to the page. */
export type EmitEvent = <E extends EventName>(event: E, payload: EventPayload<E>) => void
