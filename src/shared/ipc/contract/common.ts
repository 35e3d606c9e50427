import { z } from 'zod'

/** The pieces of the contract several domains share: ids, counts, the empty request, a picked folder. */

export const NoInput = z.undefined()
export const Count = z.number().int().nonnegative()

export const ModelIdInput = z.object({ id: z.string().min(1).max(100) })

export const PhotoId = z.number().int().positive()
export const PhotoIds = z.array(PhotoId).min(1).max(50_000)
export const TagId = z.number().int().positive()

export const JobId = z.number().int().positive()
export const JobIdInput = z.object({ jobId: JobId })
export const RunId = z.number().int().positive()

/** A folder the person chose in a dialog: the main process keeps its path behind the token. */
export const PickedFolderSchema = z.object({
  token: z.string().uuid(),
  name: z.string(),
  /** For display only: requests name the token, never the path. */
  path: z.string(),
})
export type PickedFolder = z.infer<typeof PickedFolderSchema>
