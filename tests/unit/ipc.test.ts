import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dispatch } from '../../src/main/ipc/dispatch'
import * as ipcContract from '../../src/shared/ipc/contract'
import { channelNames, contract, eventNames } from '../../src/shared/ipc/contract'
import { unwrapReply } from '../../src/shared/ipc/errors'
import { createTestServices, type TestServices } from '../support/services'

describe('IPC handler table', () => {
  let services: TestServices
  beforeAll(async () => {
    services = await createTestServices()
  })
  afterAll(() => services.dispose())

  it('implements every channel of the contract and nothing else', () => {
    expect(Object.keys(services.handlers).sort()).toEqual([...channelNames].sort())
  })

  it('gathers each domain’s channels and events, no name in two domains', () => {
    const tables = Object.entries(ipcContract).filter(([name]) => /^[a-z][A-Za-z]*(Channels|Events)$/.test(name))
    const gathered = (suffix: string) =>
      tables.filter(([name]) => name.endsWith(suffix)).flatMap(([, table]) => Object.keys(table as object))
    expect(gathered('Channels').sort()).toEqual([...channelNames].sort())
    expect(gathered('Events').sort()).toEqual([...eventNames].sort())
  })

  it('answers models:active with the bundled card and a URL on the app origin', async () => {
    const reply = contract['models:active'].output.parse(
      unwrapReply(await dispatch(services.handlers, 'models:active', undefined)),
    )
    expect(reply.card.id).toBe('resnet56-cifar10')
    expect(reply.card.labels).toHaveLength(10)
    // The copy that also returns the photo's features, the profile and the labels' hierarchy.
    expect(reply.modelUrl).toBe('/library/models/resnet56-cifar10.features.onnx')
    // Its card asks for views: the copy on the photo alone serves results that keep no embedding.
    expect(reply.photoModelUrl).toBe('/library/models/resnet56-cifar10.photo-features.onnx')
    expect(reply.profileUrl).toBe('/library/models/resnet56-cifar10.profile.json')
    expect(reply.hierarchyUrl).toBe('/library/models/resnet56-cifar10.hierarchy.json')
  })

  it('refuses unknown channels and malformed requests as invalid input', async () => {
    const refused = (message: RegExp) => ({
      ok: false,
      error: { kind: 'invalid-input', message: expect.stringMatching(message) },
    })
    expect(await dispatch(services.handlers, 'fs:readFile', '/etc/passwd')).toEqual(refused(/^Unknown IPC channel/))
    expect(await dispatch(services.handlers, '__proto__', undefined)).toEqual(refused(/^Unknown IPC channel/))
    expect(await dispatch(services.handlers, 'models:list', { path: '/etc' })).toEqual(
      refused(/^Invalid request on models:list/),
    )
  })
})
