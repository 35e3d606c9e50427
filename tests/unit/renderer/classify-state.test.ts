import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { WorkerReply, WorkerRequest } from '../../../src/renderer/src/engine/messages'
import { createTestServices, type TestServices } from '../../support/services'
import { AnsweringWorker, classified, loaded, freshRendererOn } from './answering-worker'
import { installLockedActiveModel, installWindowApi, until } from './window-bridge'

/**
 * The Classify screen's own state (the photos dropped on it) over the window's session: the real handler
 * table answers the session's IPC, a stand-in worker the engine's requests.
 */
describe('the Classify screen state', () => {
  let services: TestServices
  let worker: AnsweringWorker

  async function renderer() {
    await freshRendererOn(worker)
    return {
      activeModel: await import('../../../src/renderer/src/session/active-model'),
      session: (await import('../../../src/renderer/src/session/session-store')).useSessionStore,
      notices: (await import('../../../src/renderer/src/session/notices')).useNoticeStore,
      classify: await import('../../../src/renderer/src/classify/classify-actions'),
      photos: (await import('../../../src/renderer/src/classify/classify-store')).useClassifyStore,
    }
  }

  const photo = (name: string): { file: File; path: string } => ({
    file: new File([new Uint8Array([0xff, 0xd8, 0xff])], name, { type: 'image/jpeg' }),
    path: name,
  })
  const drop = (...names: string[]) => ({ files: names.map(photo), skipped: [], unreadable: [] })

  beforeAll(async () => {
    services = await createTestServices()
  })
  beforeEach(() => {
    installWindowApi(services)
  })
  afterEach(() => vi.unstubAllGlobals())
  afterAll(() => services.dispose())

  it('classifies dropped photos, tells an undecodable one, and counts them', async () => {
    worker = new AnsweringWorker((request: WorkerRequest): WorkerReply | undefined => {
      if (request.type === 'load') return loaded(request.id)
      if (request.type !== 'classify') return undefined
      if (request.name === 'broken.jpg') {
        return { type: 'failed', id: request.id, kind: 'decode', message: 'broken.jpg is not an image.' }
      }
      return classified(request.id, { id: 'resnet56-cifar10', name: 'then' }, 'cat', 0.9)
    })
    const { activeModel, session, classify, photos } = await renderer()
    activeModel.startSession()
    await until(() => session.getState().engine.status === 'ready', 'the session')
    classify.addFiles(drop('cat.jpg', 'broken.jpg'))
    await until(() => photos.getState().photos.every((p) => p.status !== 'pending'), 'the results')

    const [cat, broken] = photos.getState().photos
    const model = session.getState().model
    // The card names the model as it is called now, and keeps its labels for the logits.
    expect(cat).toMatchObject({ name: 'cat.jpg', status: 'done', result: { top: [{ label: 'cat', p: 0.9 }] } })
    expect(cat!.result!.model.name).toBe(model.status === 'ready' && model.card.name)
    expect(cat!.result!.labels).toHaveLength(10)
    expect(broken).toMatchObject({ status: 'error', failure: 'decode', error: 'broken.jpg is not an image.' })
  })

  it('runs again the photos that failed only because no model was loaded, once the session is ready', async () => {
    worker = new AnsweringWorker((request) => {
      if (request.type === 'load') return loaded(request.id)
      if (request.type !== 'classify') return undefined
      return classified(request.id, { id: 'resnet56-cifar10', name: 'ResNet-56' }, 'ship', 0.8)
    })
    const library = installLockedActiveModel(services)
    const { activeModel, session, classify, photos } = await renderer()
    classify.startClassify()
    activeModel.startSession()
    await until(() => session.getState().model.status === 'error', 'the failed read')
    classify.addFiles(drop('ship.jpg'))
    expect(photos.getState().photos[0]).toMatchObject({ status: 'error', failure: 'load' })

    library.allow()
    activeModel.retryModel()
    await until(() => photos.getState().photos[0]?.status === 'done', 'the photo run again')
  })

  it('clears the cards with an undo; the photos the Clear cancelled run when it is undone', async () => {
    const held: number[] = []
    worker = new AnsweringWorker((request) => {
      if (request.type === 'load') return loaded(request.id)
      if (request.type === 'classify') held.push(request.id) // answered by hand below
      return undefined
    })
    const { activeModel, session, classify, photos, notices } = await renderer()
    activeModel.startSession()
    await until(() => session.getState().engine.status === 'ready', 'the session')
    // Eight photos go to the worker at a time: the ninth and tenth wait in the client's queue.
    classify.addFiles(drop(...Array.from({ length: 10 }, (_, i) => `p${i}.jpg`)))
    expect(held).toHaveLength(8)

    classify.clearPhotos()
    expect(photos.getState().photos).toEqual([])
    expect(notices.getState().notice).toMatchObject({ text: 'Cleared 10 photos.' })
    for (const id of held.splice(0)) worker.reply(classified(id, { id: 'resnet56-cifar10', name: 'm' }, 'dog', 0.7))
    await until(() => photos.getState().cleared?.every((p) => p.status === 'done' || p.id > 8) === true, 'results')

    notices.getState().notice!.undo!()
    expect(notices.getState().notice).toBeNull()
    expect(photos.getState().photos).toHaveLength(10)
    // The results that came while cleared are on the cards; the two cancelled photos were handed over again.
    await until(() => held.length === 2, 'the cancelled photos sent again')
    expect(photos.getState().photos.filter((p) => p.status === 'done')).toHaveLength(8)
    expect(
      photos
        .getState()
        .photos.filter((p) => p.status === 'pending')
        .map((p) => p.name),
    ).toEqual(['p8.jpg', 'p9.jpg'])
  })
})
