import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ChannelOutput, HandlerTable, PhotoItem } from '../../../src/shared/ipc/contract'
import type { DuplicateGroupItem } from '../../../src/shared/ipc/contract/own-tags'
import { createTestServices, type TestServices } from '../../support/services'
import { addNumberedPhoto } from '../../support/tag-store'
import { tagStatus } from './tag-status'
import { installWindowApi, until } from './window-bridge'

const PHOTOS = 30
const now = (): Date => new Date('2026-01-02T03:04:05Z')

type Reply<C extends keyof HandlerTable> = ChannelOutput<C>

/** A promise with its resolve, to hold a handler until the test lets it answer. */
function gate(): { promise: Promise<void>; open(): void } {
  let open = (): void => undefined
  const promise = new Promise<void>((resolve) => (open = resolve))
  return { promise, open }
}

/**
 * The own-tags state of the window (similar photos, "More like this", duplicates, learned tags, saving them as
 * a model) against the main process's real handler table over a real database; the own-tags channels are
 * answered by stand-ins (their handlers are the main side's), tags:add and the library's channels are real.
 */
describe('the own-tags state', () => {
  let services: TestServices
  let photos: PhotoItem[]
  const calls: { channel: string; input: unknown }[] = []
  /** The stand-ins of the test that runs (the own-tags handlers are the main side's). */
  let fakes: Partial<HandlerTable> = {}

  async function renderer() {
    vi.resetModules()
    const events = await import('../../../src/renderer/src/library/library-events')
    events.startLibrary()
    return {
      events,
      grid: await import('../../../src/renderer/src/library/library-grid'),
      filters: await import('../../../src/renderer/src/library/filter-actions'),
      similar: await import('../../../src/renderer/src/library/similar-actions'),
      selection: await import('../../../src/renderer/src/library/selection-actions'),
      decisions: await import('../../../src/renderer/src/library/tag-decisions'),
      duplicates: await import('../../../src/renderer/src/library/duplicates-actions'),
      learned: await import('../../../src/renderer/src/library/learned-actions'),
      strip: await import('../../../src/renderer/src/detail/similar-actions'),
      library: (await import('../../../src/renderer/src/library/library-store')).useLibraryStore,
      duplicatesStore: (await import('../../../src/renderer/src/library/duplicates-store')).useDuplicatesStore,
      learnedStore: (await import('../../../src/renderer/src/library/learned-store')).useLearnedStore,
      stripStore: await import('../../../src/renderer/src/detail/similar-store'),
      review: (await import('../../../src/renderer/src/review/review-store')).useReviewStore,
      save: await import('../../../src/renderer/src/models/save-learned-actions'),
      saveStore: await import('../../../src/renderer/src/models/save-learned-store'),
      notices: (await import('../../../src/renderer/src/session/notices')).useNoticeStore,
    }
  }

  /** The stand-in's answer: these photos, best first, with falling scores. */
  function ranked(ids: number[], missing = 0): Reply<'similar:photos'> {
    const byId = new Map(photos.map((p) => [p.id, p]))
    return {
      modelId: 'resnet56-cifar10',
      photos: ids.map((id, i) => ({ photo: byId.get(id)!, score: 0.99 - i * 0.01 })),
      missing,
    }
  }

  beforeAll(async () => {
    services = await createTestServices()
    for (let n = 0; n < PHOTOS; n++) addNumberedPhoto(services.db, n, now)
    photos = (await services.handlers['library:photos']({ filter: {}, limit: 100 })).photos
    const table = { ...services.handlers } as HandlerTable
    for (const channel of [
      'similar:photos',
      'duplicates:find',
      'learned:tags',
      'learned:learn',
      'learned:forget',
      'learned:saveModel',
    ] as const) {
      ;(table as Record<string, unknown>)[channel] = (input: unknown) => {
        calls.push({ channel, input })
        const fake = fakes[channel] as ((input: unknown) => unknown) | undefined
        if (!fake) throw new Error(`No stand-in for ${channel}`)
        return fake(input)
      }
    }
    installWindowApi(services, table)
  })
  afterAll(() => {
    vi.unstubAllGlobals()
    return services.dispose()
  })
  beforeEach(() => {
    calls.length = 0
    fakes = {}
    vi.restoreAllMocks()
  })

  it('"More like this" shows the ranked photos in place of the grid, and clearing it brings the grid back', async () => {
    const { events, grid, filters, similar, selection, library } = await renderer()
    events.openLibrary()
    await until(() => library.getState().grid.status === 'ready', 'the first page')
    const ids = photos.map((p) => p.id)
    const order = [ids[9]!, ids[3]!, ids[20]!]
    fakes['similar:photos'] = () => ranked(order, 1)

    expect(similar.moreLikeThis([])).toBe(false)
    selection.clickPhoto(ids[0]!, 'plain')
    selection.clickPhoto(ids[1]!, 'toggle')
    expect(similar.moreLikeThis()).toBe(true)
    await until(() => library.getState().grid.status === 'ready', 'the similar photos')
    expect(calls.at(-1)).toEqual({
      channel: 'similar:photos',
      input: { photoIds: [ids[0], ids[1]], top: grid.SIMILAR_TOP },
    })
    const state = library.getState()
    expect(state.grid.items.map((p) => p.id)).toEqual(order)
    expect(state.grid).toMatchObject({ done: true, total: 3 })
    expect(state.similar).toMatchObject({ sourceIds: [ids[0], ids[1]], missing: 1 })
    expect(state.similar?.scores.get(ids[3]!)).toBeCloseTo(0.98)
    // The selection starts over, as with any filter; scrolling reads nothing more.
    expect(state.selection.size).toBe(0)
    grid.showRange(0, 100)
    expect(library.getState().grid.items).toHaveLength(3)

    // A change in the library reads the ranking again, keeping the focus where it still is.
    selection.clickPhoto(ids[3]!, 'plain')
    fakes['similar:photos'] = () => ranked([ids[3]!, ids[9]!])
    await grid.refresh()
    expect(library.getState().grid.items.map((p) => p.id)).toEqual([ids[3], ids[9]])
    expect(library.getState().focusId).toBe(ids[3])

    // Clearing the chip: every photo again.
    similar.clearSimilar()
    await until(() => library.getState().grid.status === 'ready', 'every photo')
    expect(library.getState().similar).toBeNull()
    expect(library.getState().grid.total).toBe(PHOTOS)

    // Picking a filter ends it too.
    similar.moreLikeThis([ids[5]!])
    await until(() => library.getState().grid.status === 'ready', 'the similar photos again')
    filters.setFilter({ needsReview: true })
    expect(library.getState().similar).toBeNull()
    await until(() => library.getState().grid.status === 'ready', 'the filtered grid')
    expect(library.getState().grid.total).toBe(0)
    filters.clearFilter()
    await until(() => library.getState().grid.status === 'ready', 'every photo again')

    // A failure shows in the grid, and Try again asks again.
    fakes['similar:photos'] = () => {
      throw new Error('No embeddings for this model.')
    }
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
    similar.moreLikeThis([ids[5]!])
    await until(() => library.getState().grid.status === 'error', 'the failure')
    expect(library.getState().grid.error).toBe('No embeddings for this model.')
    fakes['similar:photos'] = () => ranked([ids[7]!])
    grid.retryGrid()
    await until(() => library.getState().grid.status === 'ready', 'the retry')
    expect(library.getState().grid.items.map((p) => p.id)).toEqual([ids[7]])
  })

  it('the strip under a photo shows its 12 most similar photos, without itself, and opens one', async () => {
    const { strip, stripStore, similar, library } = await renderer()
    const ids = photos.map((p) => p.id)
    fakes['similar:photos'] = () => ranked(ids.slice(0, 14))
    await strip.loadSimilar(ids[0]!)
    expect(calls.at(-1)?.input).toEqual({ photoIds: [ids[0]], top: strip.STRIP_TOP + 1 })
    const state = stripStore.useSimilarStore.getState().byKey[stripStore.similarKey(ids[0]!, undefined)]
    expect(state?.status === 'ready' && state.data.photos.map((p) => p.photo.id)).toEqual(ids.slice(1, 13))

    // Not classified by the model yet: nothing to compare.
    fakes['similar:photos'] = () => ranked([], 1)
    await strip.loadSimilar(ids[1]!, 'resnet56-cifar10')
    const missing = stripStore.useSimilarStore.getState().byKey[stripStore.similarKey(ids[1]!, 'resnet56-cifar10')]
    expect(missing).toMatchObject({ status: 'ready', data: { missing: 1, photos: [] } })

    vi.spyOn(console, 'error').mockImplementation(() => undefined)
    fakes['similar:photos'] = () => {
      throw new Error('The model has no embeddings.')
    }
    await strip.loadSimilar(ids[2]!)
    expect(stripStore.useSimilarStore.getState().byKey[stripStore.similarKey(ids[2]!, undefined)]).toEqual({
      status: 'error',
      message: 'The model has no embeddings.',
    })

    // Opening one puts it in focus (read on its own where the grid does not show it).
    similar.focusPhoto(ids[4]!)
    expect(library.getState()).toMatchObject({ focusId: ids[4], anchorId: ids[4] })
    expect([...library.getState().selection]).toEqual([ids[4]])
    await until(() => library.getState().detail?.state.status === 'ready', 'its details')
  })

  it('finds duplicates with progress, and tags the other copies "duplicate" (undoable), never the kept one', async () => {
    const { events, duplicates, duplicatesStore, decisions, library } = await renderer()
    events.openLibrary()
    await until(() => library.getState().grid.status === 'ready', 'the first page')
    const withFile = (id: number) => ({ ...photos.find((p) => p.id === id)!, size: 1000, format: 'JPEG' })
    const [a, b, c, d, e] = photos.map((p) => p.id)
    const groups: DuplicateGroupItem[] = [
      { photos: [withFile(a!), withFile(b!), withFile(c!)], keepId: b! },
      { photos: [withFile(d!), withFile(e!)], keepId: d! },
    ]
    const answer = gate()
    fakes['duplicates:find'] = async () => {
      services.events.emit('duplicates:progress', { done: 10, total: PHOTOS })
      await answer.promise
      return { groups, photos: PHOTOS }
    }
    const finding = duplicates.findDuplicates()
    expect(duplicatesStore.getState().status).toBe('finding')
    await until(() => duplicatesStore.getState().progress !== null, 'the progress')
    expect(duplicatesStore.getState().progress).toEqual({ done: 10, total: PHOTOS })
    answer.open()
    await finding
    expect(duplicatesStore.getState()).toMatchObject({ status: 'ready', photos: PHOTOS, groups })
    // A late progress report does not bring the bar back.
    services.events.emit('duplicates:progress', { done: 11, total: PHOTOS })
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(duplicatesStore.getState().status).toBe('ready')

    expect(await duplicates.tagOthers(b!)).toBe(2)
    expect([a, b, c].map((id) => tagStatus(services.db, id!, 'duplicate'))).toEqual(['accepted', undefined, 'accepted'])
    expect(duplicatesStore.getState().tagged).toEqual(new Set([b]))
    expect(library.getState().undo.at(-1)?.label).toBe('Tag 2 copies “duplicate”')

    // "All": only the groups not tagged yet.
    expect(await duplicates.tagOthers('all')).toBe(1)
    expect(tagStatus(services.db, e!, 'duplicate')).toBe('accepted')
    expect(tagStatus(services.db, d!, 'duplicate')).toBeUndefined()
    expect(await duplicates.tagOthers('all')).toBe(0)

    // Z in the Library undoes the last one.
    await decisions.undoLast()
    expect(tagStatus(services.db, e!, 'duplicate')).toBeUndefined()
    expect(tagStatus(services.db, a!, 'duplicate')).toBe('accepted')

    // No groups; then a failure, with its message.
    fakes['duplicates:find'] = () => ({ groups: [], photos: PHOTOS })
    await duplicates.findDuplicates()
    expect(duplicatesStore.getState()).toMatchObject({ status: 'ready', groups: [], tagged: new Set() })
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
    fakes['duplicates:find'] = () => {
      throw new Error('The photos could not be hashed.')
    }
    await duplicates.findDuplicates()
    expect(duplicatesStore.getState()).toMatchObject({ status: 'error', error: 'The photos could not be hashed.' })
  })

  it('learns a tag, then reads the learned tags and the review queue again; forgets one; says why it failed', async () => {
    const { learned, learnedStore, review, notices } = await renderer()
    const learnedTag: Reply<'learned:learn'> = {
      tagId: 7,
      name: 'grandma',
      modelId: 'resnet56-cifar10',
      positives: 12,
      negatives: 40,
      threshold: 0.7,
      suggested: 5,
      trainedAt: '2026-01-02T03:04:05Z',
    }
    let isLearned = false
    fakes['learned:tags'] = () =>
      isLearned
        ? { learned: [learnedTag], learnable: [] }
        : { learned: [], learnable: [{ tagId: 7, name: 'grandma', examples: 12 }] }
    const answer = gate()
    fakes['learned:learn'] = async () => {
      await answer.promise
      isLearned = true
      return learnedTag
    }
    await learned.loadLearned()
    expect(learnedStore.getState().tags).toMatchObject({
      status: 'ready',
      data: { learned: [], learnable: [{ tagId: 7 }] },
    })

    const learning = learned.learnTag(7, 'grandma')
    expect(learnedStore.getState().busy).toEqual({ tagId: 7, action: 'learn' })
    // One at a time.
    expect(await learned.learnTag(7, 'grandma')).toBe(false)
    answer.open()
    expect(await learning).toBe(true)
    expect(learnedStore.getState().busy).toBeNull()
    expect(calls.filter((c) => c.channel === 'learned:learn')).toEqual([
      { channel: 'learned:learn', input: { tagId: 7 } },
    ])
    expect(notices.getState().notice?.text).toBe('Learned “grandma” from 12 examples: 5 photos to review.')
    await until(
      () => learnedStore.getState().tags.status === 'ready' && review.getState().groups.status === 'ready',
      'the fresh lists',
    )
    expect(learnedStore.getState().tags).toMatchObject({ data: { learned: [{ name: 'grandma', suggested: 5 }] } })

    fakes['learned:forget'] = () => ({ withdrawn: 5 })
    expect(await learned.forgetTag(7, 'grandma')).toBe(true)
    expect(notices.getState().notice?.text).toBe(
      'Forgot “grandma”: 5 suggestions withdrawn; accepted photos keep the tag.',
    )

    vi.spyOn(console, 'error').mockImplementation(() => undefined)
    fakes['learned:learn'] = () => {
      throw new Error('Too few examples: 3 accepted photos have an embedding of this model.')
    }
    expect(await learned.learnTag(7, 'grandma')).toBe(false)
    expect(learnedStore.getState().error).toBe(
      '“grandma” could not be learned: Too few examples: 3 accepted photos have an embedding of this model.',
    )
  })

  it('saves learned tags as a model: at least two and a name, then the model list is read again', async () => {
    const { save, saveStore } = await renderer()
    expect(saveStore.saveProblem(' ', [1, 2])).toBe('Give the model a name.')
    expect(saveStore.saveProblem('Mine', [1])).toBe('Pick at least 2 learned tags.')
    expect(saveStore.saveProblem('Mine', [1, 2])).toBeNull()

    const models = await services.handlers['models:list'](undefined)
    fakes['learned:tags'] = () => ({ learned: [], learnable: [] })
    fakes['learned:saveModel'] = (input) => ({
      ...models[0]!,
      id: 'mine',
      name: (input as { name: string }).name,
      builtin: false,
    })
    await save.openSaveLearned()
    expect(saveStore.useSaveLearnedStore.getState()).toMatchObject({
      open: true,
      learned: { status: 'ready', data: [] },
    })

    expect(await save.saveLearnedModel('Mine', [3])).toBeUndefined()
    expect(saveStore.useSaveLearnedStore.getState().error).toBe('Pick at least 2 learned tags.')
    expect(calls.some((c) => c.channel === 'learned:saveModel')).toBe(false)

    const saved = await save.saveLearnedModel('  Mine ', [3, 4])
    expect(saved?.name).toBe('Mine')
    expect(calls.at(-1)).toEqual({ channel: 'learned:saveModel', input: { name: 'Mine', tagIds: [3, 4] } })
    expect(saveStore.useSaveLearnedStore.getState()).toMatchObject({ open: false, saving: false, error: null })
  })
})
