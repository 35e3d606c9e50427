import type { z } from 'zod'
import { appChannels } from './contract/app'
import { catalogChannels, catalogEvents } from './contract/catalog'
import { engineChannels, engineEvents } from './contract/engine'
import { jobChannels, jobEvents } from './contract/jobs'
import { knowledgeChannels, knowledgeEvents } from './contract/knowledge'
import { libraryChannels, libraryEvents } from './contract/library'
import { modelChannels } from './contract/models'
import { organizeChannels, organizeEvents } from './contract/organize'
import { ownTagChannels, ownTagEvents } from './contract/own-tags'
import { reviewChannels } from './contract/review'
import { tagChannels } from './contract/tags'

/**
 * The one IPC contract between the renderer and the main process. Every channel names the schema of
 * its request and of its reply; the main process parses requests, the renderer parses replies.
 * Events flow the other way (main → renderer), each with its payload schema.
 *
 * Each domain declares its channels, events and schemas in `contract/<domain>.ts`; this module gathers
 * them into the one table both sides read.
 */

export * from './contract/app'
export * from './contract/catalog'
export * from './contract/classification'
export * from './contract/engine'
export * from './contract/jobs'
export * from './contract/knowledge'
export * from './contract/library'
export * from './contract/models'
export * from './contract/organize'
export * from './contract/own-tags'
export * from './contract/review'
export * from './contract/tags'
export { PickedFolderSchema, type PickedFolder } from './contract/common'

/** Every channel; no name is in two domains (the IPC tests check it). */
export const contract = {
  ...appChannels,
  ...modelChannels,
  ...catalogChannels,
  ...knowledgeChannels,
  ...libraryChannels,
  ...tagChannels,
  ...reviewChannels,
  ...jobChannels,
  ...organizeChannels,
  ...engineChannels,
  ...ownTagChannels,
}

/** Main → renderer events. */
export const events = {
  ...catalogEvents,
  ...knowledgeEvents,
  ...libraryEvents,
  ...jobEvents,
  ...organizeEvents,
  ...engineEvents,
  ...ownTagEvents,
}

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

/**
 * What the preload script (and any test bridge) expose to the page as `window.api`. `invoke` resolves
 * with an `IpcReply` envelope (`./errors`): the renderer's `call` unwraps it.
 */
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

/** The handlers of one domain's channels, e.g. `DomainHandlers<typeof libraryChannels>`. */
export type DomainHandlers<Channels> = Pick<HandlerTable, keyof Channels & Channel>

/** How the main process pushes an event to the page. */
export type EmitEvent = <E extends EventName>(event: E, payload: EventPayload<E>) => void
