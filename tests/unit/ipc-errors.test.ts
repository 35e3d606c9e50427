import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { dispatch } from '../../src/main/ipc/dispatch'
import { errorKindOf } from '../../src/main/ipc/error-kind'
import { WorkerGoneError } from '../../src/main/engine/worker-engine'
import { call, IpcError, ipcMessage } from '../../src/renderer/src/ipc'
import type { Bridge, HandlerTable } from '../../src/shared/ipc/contract'
import { parseRequest } from '../../src/shared/ipc/request'
import { createTestServices, type TestServices } from '../support/services'

/**
 * Errors keep their kind from a handler to the renderer: the real `dispatch` answers with its envelope,
 * a `window.api` forwards to it as the preload does (checking the request, cloning what crosses), and the
 * renderer's real `call` throws an `IpcError` whose kind tells a decode error from an engine error.
 */
describe('IPC errors', () => {
  let services: TestServices

  /** Serves `table` to the renderer's `call` the way the preload and ipcMain do. */
  function serve(table: HandlerTable): void {
    const api: Bridge = {
      async invoke(channel, input) {
        const request = parseRequest(channel, input)
        if (!request.ok) return request
        return structuredClone(await dispatch(table, request.channel, structuredClone(request.input)))
      },
      on: () => () => undefined,
      pathForFile: () => '',
    }
    vi.stubGlobal('window', { api })
  }

  async function failureOf(promise: Promise<unknown>): Promise<IpcError> {
    const error: unknown = await promise.then(
      () => undefined,
      (thrown: unknown) => thrown,
    )
    if (!(error instanceof IpcError)) throw new Error(`expected an IpcError, got ${String(error)}`)
    return error
  }

  beforeAll(async () => {
    services = await createTestServices()
  })
  afterEach(() => {
    vi.unstubAllGlobals()
  })
  afterAll(() => services.dispose())

  it('answers with the value when the handler succeeds', async () => {
    serve(services.handlers)
    const models = await call('models:list')
    expect(models.map((m) => m.id)).toContain('resnet56-cifar10')
  })

  it('tells an undecodable file (a real one, through the real handler) from an engine failure', async () => {
    const broken = join(services.dataDir, 'broken.onnx')
    writeFileSync(broken, 'this is not a protobuf')
    serve({
      ...services.handlers,
      'engine:measure': () => {
        throw new WorkerGoneError('the engine process stopped (exit code 139)')
      },
    })
    const picked = await call('models:grantDropped', { path: broken })
    const decode = await failureOf(call('models:inspect', { token: picked.token }))
    const engine = await failureOf(call('engine:measure', { id: 'resnet56-cifar10' }))

    expect([decode.kind, engine.kind]).toEqual(['decode', 'engine'])
    // The message is the handler's own, without Electron's "Error invoking remote method" prefix.
    expect(decode.message).toMatch(/^broken\.onnx: /)
    expect(engine.message).toBe('the engine process stopped (exit code 139)')
    expect(ipcMessage(engine)).toBe(engine.message)
  })

  it('gives an error of no known class on an engine channel the engine kind, elsewhere the internal kind', async () => {
    serve({
      ...services.handlers,
      'engine:measure': () => {
        throw new Error('onnxruntime could not create a session')
      },
      'catalog:list': () => {
        throw new Error('something unexpected')
      },
    })
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    expect((await failureOf(call('engine:measure', { id: 'resnet56-cifar10' }))).kind).toBe('engine')
    expect((await failureOf(call('catalog:list'))).kind).toBe('internal')
    // Only the error of no kind is logged in the main process, as Electron logged a handler's error.
    expect(logged.mock.calls.map(([message]) => message)).toEqual(["Error in the handler for 'catalog:list':"])
    logged.mockRestore()
  })

  it('refuses bad requests as invalid input, and names what is missing as not found', async () => {
    serve(services.handlers)
    const malformed = await failureOf(call('library:photo', { id: -1 }))
    expect(malformed).toMatchObject({ kind: 'invalid-input', message: expect.stringMatching(/^Invalid request/) })
    const notAModel = await failureOf(call('models:grantDropped', { path: '/photos/cat.jpg' }))
    expect(notAModel).toMatchObject({ kind: 'invalid-input', message: 'cat.jpg is not an .onnx model file.' })
    const missing = await failureOf(call('models:setActive', { id: 'no-such-model' }))
    expect(missing).toMatchObject({ kind: 'not-found', message: 'No model "no-such-model" in the library.' })
  })

  it('turns a request Electron itself refused into an internal error without its prefix', async () => {
    const api: Bridge = {
      invoke: () =>
        Promise.reject(new Error("Error invoking remote method 'models:list': Error: IPC refused from https://evil/")),
      on: () => () => undefined,
      pathForFile: () => '',
    }
    vi.stubGlobal('window', { api })
    const refused = await failureOf(call('models:list'))
    expect(refused).toMatchObject({ kind: 'internal', message: 'IPC refused from https://evil/' })
  })

  it('maps the file system’s refusals by their code, also when they are the cause', () => {
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
    const gone = Object.assign(new Error('ENOENT: no such file or directory'), { code: 'ENOENT' })
    expect(errorKindOf(full)).toBe('disk')
    expect(errorKindOf(new Error('The export failed.', { cause: full }))).toBe('disk')
    expect(errorKindOf(gone)).toBe('not-found')
    expect(errorKindOf(Object.assign(new Error('aborted'), { name: 'AbortError' }))).toBe('cancelled')
    expect(errorKindOf('a string')).toBe('internal')
  })
})
