import { z } from 'zod'
import { GraphSummarySchema, ModelCardSchema, PreprocessingSchema } from '../../model-card'
import { ModelIdInput, NoInput } from './common'

/** The model library: the models, the active one, importing a file with its labels, a model's architecture. */

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
  /**
   * For a card with views (`src/shared/preprocess/views.ts`): the features copy on the photo alone, for results that
   * keep no embedding (the Classify screen's).
   */
  photoModelUrl: z.string().startsWith('/').optional(),
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

const ModelList = z.array(ModelSummarySchema)

export const modelChannels = {
  'models:list': { input: NoInput, output: ModelList },
  'models:active': { input: NoInput, output: ActiveModelSchema },
  /** The model's stages and blocks as read from its graph, with what activations need. */
  'models:architecture': { input: ModelIdInput, output: ArchitectureSchema },
  'models:setActive': { input: ModelIdInput, output: ModelList },
  'models:rename': { input: ModelIdInput.extend({ name: z.string().trim().min(1).max(120) }), output: ModelList },
  'models:delete': { input: ModelIdInput, output: ModelList },
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
} as const
