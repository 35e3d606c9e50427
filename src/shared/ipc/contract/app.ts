import { z } from 'zod'
import { NoInput } from './common'

export const AppInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  platform: z.string(),
  dataDir: z.string(),
})
export type AppInfo = z.infer<typeof AppInfoSchema>

export const appChannels = {
  'app:info': { input: NoInput, output: AppInfoSchema },
} as const
