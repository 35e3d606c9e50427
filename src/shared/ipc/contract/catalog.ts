import { z } from 'zod'
import { ModelIdInput, NoInput } from './common'

/** The model catalog: models the app can download, and their downloads. */

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

export const catalogChannels = {
  'catalog:list': { input: NoInput, output: z.array(CatalogEntryStatusSchema) },
  'catalog:download': { input: ModelIdInput, output: z.object({ started: z.boolean() }) },
  'catalog:cancel': { input: ModelIdInput, output: z.object({ cancelled: z.boolean() }) },
} as const

export const catalogEvents = {
  'catalog:progress': DownloadProgressSchema,
} as const
