import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dispatch } from '../../src/main/ipc/handlers'
import { channelNames, contract } from '../../src/shared/ipc/contract'
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

  it('answers models:active with the bundled card and a URL on the app origin', async () => {
    const reply = contract['models:active'].output.parse(await dispatch(services.handlers, 'models:active', undefined))
    expect(reply.card.id).toBe('resnet56-cifar10')
    expect(reply.card.labels).toHaveLength(10)
    // The copy that also returns the photo's features, the profile and the labels' hierarchy.
    expect(reply.modelUrl).toBe('/library/models/resnet56-cifar10.features.onnx')
    expect(reply.profileUrl).toBe('/library/models/resnet56-cifar10.profile.json')
    expect(reply.hierarchyUrl).toBe('/library/models/resnet56-cifar10.hierarchy.json')
  })

  it('rejects unknown channels and malformed requests', async () => {
    await expect(dispatch(services.handlers, 'fs:readFile', '/etc/passwd')).rejects.toThrow(/Unknown IPC channel/)
    await expect(dispatch(services.handlers, '__proto__', undefined)).rejects.toThrow(/Unknown IPC channel/)
    await expect(dispatch(services.handlers, 'models:list', { path: '/etc' })).rejects.toThrow(
      /Invalid request on models:list/,
    )
  })
})
