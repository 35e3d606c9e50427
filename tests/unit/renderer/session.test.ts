import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { createTestServices, type TestServices } from '../../support/services'
import { sharedPath } from '../../support/shared'
import { AnsweringWorker, loaded, freshRendererOn } from './answering-worker'
import { installLockedActiveModel, installWindowApi, until } from './window-bridge'

/**
 * The window's session (the active model, its session in the engine worker, the library's models, notices)
 * against the main process's real handler table over a real database: the renderer's modules call it through
 * `window.api` as in the app; only the engine worker is a stand-in.
 */
describe('the session', () => {
  let services: TestServices
  let worker: AnsweringWorker

  /** Fresh renderer modules (their stores and flags start over) with the session's engine on `worker`. */
  async function renderer() {
    await freshRendererOn(worker)
    return {
      activeModel: await import('../../../src/renderer/src/session/active-model'),
      modelList: await import('../../../src/renderer/src/session/model-list'),
      notices: await import('../../../src/renderer/src/session/notices'),
      session: (await import('../../../src/renderer/src/session/session-store')).useSessionStore,
      modelsOf: (await import('../../../src/renderer/src/session/session-store')).modelsOf,
      models: await import('../../../src/renderer/src/models/models-actions'),
      imports: await import('../../../src/renderer/src/models/import-actions'),
      modelsStore: (await import('../../../src/renderer/src/models/models-store')).useModelsStore,
      importForm: await import('../../../src/renderer/src/models/import/import-form'),
    }
  }

  beforeAll(async () => {
    services = await createTestServices()
  })
  beforeEach(() => {
    worker = new AnsweringWorker()
    installWindowApi(services)
  })
  afterEach(() => vi.unstubAllGlobals())
  afterAll(() => services.dispose())

  it('reads the active model from the library and starts its session in the engine', async () => {
    const { activeModel, session } = await renderer()
    const active = services.library.list().find((m) => m.active)!
    activeModel.startSession()
    activeModel.startSession() // StrictMode runs effects twice: one read, one load
    await until(() => session.getState().engine.status === 'ready', 'the session')

    const { model, engine } = session.getState()
    expect(model.status === 'ready' && model.card.id).toBe(active.id)
    expect(engine).toMatchObject({ status: 'ready', provider: { label: 'WASM · 2 threads' }, loadMs: 12 })
    const [load, ...more] = worker.loads()
    expect(more).toEqual([])
    expect(load).toMatchObject({ model: { id: active.id, name: active.name }, preference: 'auto' })
    expect(model.status === 'ready' && load!.modelUrl).toBe(model.status === 'ready' && model.modelUrl)
    expect(load!.knowledge?.sha256).toMatch(/^[0-9a-f]{64}$/)
  })

  it('says why the engine could not load the model, and loads again with another preference', async () => {
    worker.answer = (request) =>
      request.type !== 'load'
        ? undefined
        : request.preference === 'webgpu'
          ? { type: 'failed', id: request.id, kind: 'load', message: 'No WebGPU adapter on this machine.' }
          : loaded(request.id)
    const { activeModel, session } = await renderer()
    session.getState().setPreference('webgpu')
    activeModel.startSession()
    await until(() => session.getState().engine.status === 'error', 'the failed load')
    expect(session.getState().engine).toEqual({ status: 'error', message: 'No WebGPU adapter on this machine.' })

    activeModel.changePreference('wasm')
    await until(() => session.getState().engine.status === 'ready', 'the second load')
    expect(worker.loads().map((l) => l.preference)).toEqual(['webgpu', 'wasm'])
  })

  it('says why the active model could not be read, and reads it again on retry', async () => {
    const library = installLockedActiveModel(services)
    const { activeModel, session } = await renderer()
    activeModel.startSession()
    await until(() => session.getState().model.status === 'error', 'the failed read')
    expect(session.getState().model).toEqual({
      status: 'error',
      message: 'The active model could not be read: The library database is locked.',
    })
    expect(worker.loads()).toEqual([])

    library.allow()
    activeModel.retryModel()
    await until(() => session.getState().engine.status === 'ready', 'the session after the retry')
  })

  it('follows the library: an imported model set active is loaded, a rename only renames', async () => {
    const { activeModel, modelList, modelsOf, session, models, imports, modelsStore, importForm } = await renderer()
    activeModel.startSession()
    await modelList.refreshModels()
    await until(() => session.getState().engine.status === 'ready', 'the first session')

    // The Models screen's import: the file from the (test's) dialog, the form as the importer suggests it.
    services.dialogAnswers.model.push(sharedPath('models', 'reference', 'resnet20-cifar10-ref.onnx'))
    await imports.startImport()
    const reading = modelsStore.getState().importing
    if (reading?.step !== 'preview') throw new Error(`no preview: ${JSON.stringify(reading)}`)
    const form = importForm.importFormReducer(importForm.initialImportForm(reading.preview), {
      type: 'name',
      name: 'ResNet-20 (mine)',
    })
    const { request, problem } = importForm.checkImportForm(form, reading.preview)
    expect(problem).toBeUndefined()
    await imports.submitImport(request!)
    const imported = modelsOf(session.getState()).find((m) => m.name === 'ResNet-20 (mine)')
    expect(imported).toBeDefined()

    models.setActiveModel(imported!.id)
    await until(() => worker.loads().length === 2 && session.getState().engine.status === 'ready', 'the new session')
    expect(worker.loads()[1]!.model).toEqual({ id: imported!.id, name: 'ResNet-20 (mine)' })
    expect(session.getState().model).toMatchObject({ status: 'ready', card: { id: imported!.id } })

    expect(await models.renameModel(imported!.id, 'ResNet-20, renamed')).toBe(true)
    expect(session.getState().model).toMatchObject({ status: 'ready', card: { name: 'ResNet-20, renamed' } })
    expect(worker.loads()).toHaveLength(2)
  })

  it('shows one notice at a time; an undo notice undoes', async () => {
    const { notices } = await renderer()
    const store = notices.useNoticeStore
    notices.notify('Exported 12 photos.')
    expect(store.getState().notice).toMatchObject({ text: 'Exported 12 photos.' })
    expect(store.getState().notice?.undo).toBeUndefined()

    const undo = vi.fn()
    store.getState().show('Cleared 3 photos.', undo)
    expect(store.getState().notice?.text).toBe('Cleared 3 photos.')
    store.getState().notice?.undo?.()
    expect(undo).toHaveBeenCalledOnce()
    store.getState().dismiss()
    expect(store.getState().notice).toBeNull()
  })
})
