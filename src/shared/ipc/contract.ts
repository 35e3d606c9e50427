import { z } from 'zod'
import { ModelCardSchema } from '../model-card'

/**
 * The one IPC contract between the renderer and the main process. Every channel names the schema of
 * its request and of its reply; the main process parses requests, the renderer parses replies.
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
  classes: z.number().int().positive(),
  inputSize: z.tuple([z.number().int().positive(), z.number().int().positive()]),
})
export type ModelSummary = z.infer<typeof ModelSummarySchema>

export const ActiveModelSchema = z.object({
  card: ModelCardSchema,
  /** Where the renderer fetches the model's bytes: a path on the app's own origin. */
  modelUrl: z.string().startsWith('/'),
})
export type ActiveModel = z.infer<typeof ActiveModelSchema>

const NoInput = z.undefined()

export const contract = {
  'app:info': { input: NoInput, output: AppInfoSchema },
  'models:list': { input: NoInput, output: z.array(ModelSummarySchema) },
  'models:active': { input: NoInput, output: ActiveModelSchema },
} as const

export type Contract = typeof contract
export type Channel = keyof Contract
export type ChannelInput<C extends Channel> = z.input<Contract[C]['input']>
export type ChannelOutput<C extends Channel> = z.output<Contract[C]['output']>

export const channelNames = Object.keys(contract) as Channel[]

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && Object.hasOwn(contract, value)
}

/** What the preload script (and the test bridge) expose to the page as `window.api`. */
export interface Bridge {
  invoke(channel: string, input?: unknown): Promise<unknown>
}

/** Handlers for every channel, as the main process implements them. */
export type HandlerTable = {
  [C in Channel]: (input: z.output<Contract[C]['input']>) => ChannelOutput<C> | Promise<ChannelOutput<C>>
}
