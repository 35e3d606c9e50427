import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { addTag, findTag, recordPredictions } from '../../../src/main/tags'
import { addNumberedPhoto } from '../../support/tag-store'
import { createTestServices, type TestServices } from '../../support/services'
import { tagStatus } from './tag-status'
import { installWindowApi, until } from './window-bridge'

const PHOTOS = 600
const MODEL = 'resnet56-cifar10'
const now = (): Date => new Date('2026-01-02T03:04:05Z')

/**
 * The Library screen's state against the main process's real handler table over a real database of 600
 * photos: pages as the grid scrolls, filters, selection and focus, tag decisions with undo.
 */
describe('the Library state', () => {
  let services: TestServices
  /** Photo ids in the grid's order (as added). */
  let ids: number[]

  async function renderer() {
    vi.resetModules()
    const events = await import('../../../src/renderer/src/library/library-events')
    events.startLibrary()
    return {
      events,
      grid: await import('../../../src/renderer/src/library/library-grid'),
      filters: await import('../../../src/renderer/src/library/filter-actions'),
      selection: await import('../../../src/renderer/src/library/selection-actions'),
      decisions: await import('../../../src/renderer/src/library/tag-decisions'),
      library: (await import('../../../src/renderer/src/library/library-store')).useLibraryStore,
      notices: (await import('../../../src/renderer/src/session/notices')).useNoticeStore,
    }
  }

  const statusOf = (photoId: number, tag: string): string | undefined => tagStatus(services.db, photoId, tag)

  beforeAll(async () => {
    services = await createTestServices()
    const added: number[] = []
    for (let n = 0; n < PHOTOS; n++) added.push(addNumberedPhoto(services.db, n, now))
    // Every tenth photo is a cat the model is sure of, every tenth but one a ship it is not sure of.
    for (const [i, id] of added.entries()) {
      if (i % 10 === 0)
        recordPredictions(services.db, { photoId: id, modelId: MODEL, top: [{ index: 3, label: 'cat', p: 0.9 }] }, now)
      if (i % 10 === 1)
        recordPredictions(services.db, { photoId: id, modelId: MODEL, top: [{ index: 8, label: 'ship', p: 0.3 }] }, now)
    }
    ids = added
    installWindowApi(services)
  })
  afterAll(() => {
    vi.unstubAllGlobals()
    return services.dispose()
  })
  afterEach(() => vi.restoreAllMocks())

  it('reads the grid page by page as it scrolls, with the counts', async () => {
    const { events, grid, library } = await renderer()
    events.openLibrary()
    await until(
      () => library.getState().grid.status === 'ready' && library.getState().counts !== null,
      'the first page',
    )
    const first = library.getState().grid
    expect(first).toMatchObject({ total: PHOTOS, done: false })
    expect(first.items.map((p) => p.id)).toEqual(ids.slice(0, grid.PAGE))
    expect(library.getState().counts).toEqual({ all: PHOTOS, needsReview: 60, unknown: 0 })

    // Scrolling near the end of what is loaded reads the next page; the end of the library reads the rest.
    grid.showRange(200, 300)
    await until(() => library.getState().grid.items.length >= 300 + grid.PAGE / 2, 'the next page')
    grid.showRange(560, PHOTOS)
    await until(() => library.getState().grid.done, 'the last page')
    expect(library.getState().grid.items.map((p) => p.id)).toEqual(ids)
  })

  it('narrows the grid by tag, by review and by a search as you type; clearing shows every photo', async () => {
    const { events, filters, library } = await renderer()
    events.openLibrary()
    await until(() => library.getState().grid.status === 'ready', 'the first page')
    const cat = findTag(services.db, 'cat')!

    filters.setFilter({ tagId: cat.id })
    await until(() => library.getState().grid.status === 'ready', 'the cats')
    expect(library.getState().grid.items.map((p) => p.id)).toEqual(ids.filter((_, i) => i % 10 === 0))

    // Only cats are suggested (the ships are under the threshold): "needs review" gives the same photos.
    filters.setFilter({ tagId: null, needsReview: true })
    await until(() => library.getState().grid.status === 'ready', 'the photos to review')
    expect(library.getState().grid.total).toBe(60)

    filters.setQuery('sh')
    expect(library.getState().filter.query).toBe('sh')
    await until(
      () => library.getState().grid.status === 'ready' && library.getState().grid.total === 0,
      'no ship to review',
    )

    filters.clearFilter()
    await until(() => library.getState().grid.status === 'ready', 'every photo')
    expect(library.getState().grid.total).toBe(PHOTOS)
  })

  it('selects with clicks and keys, and reads the focused photo’s details', async () => {
    const { events, selection, library } = await renderer()
    events.openLibrary()
    await until(() => library.getState().grid.status === 'ready', 'the first page')

    selection.clickPhoto(ids[2]!, 'plain')
    selection.clickPhoto(ids[5]!, 'range')
    expect([...library.getState().selection]).toEqual(ids.slice(2, 6))
    selection.clickPhoto(ids[3]!, 'toggle')
    expect([...library.getState().selection].sort()).toEqual([ids[2], ids[4], ids[5]].sort())

    // Four photos a row: ↓ moves a row and selects the photo it lands on; Shift+→ extends.
    selection.setGridLayout(4, 3)
    expect(selection.moveFocus('ArrowDown', { shift: false, mod: false })).toBe(true)
    expect(library.getState().focusId).toBe(ids[7])
    selection.moveFocus('ArrowRight', { shift: true, mod: false })
    expect([...library.getState().selection]).toEqual([ids[7], ids[8]])
    expect(selection.targetIds()).toEqual([ids[7], ids[8]])
    expect(selection.moveFocus('x', { shift: false, mod: false })).toBe(false)

    await until(() => library.getState().detail?.state.status === 'ready', 'the details')
    const detail = library.getState().detail
    expect(detail?.id).toBe(ids[8])
    expect(detail?.state.status === 'ready' && detail.state.data.photo.id).toBe(ids[8])

    selection.clearSelection()
    expect(library.getState().selection.size).toBe(0)
    expect(library.getState().focusId).toBe(ids[8])
  })

  it('removes a tag the grid shows on the photo in focus though its details were read before the tag came', async () => {
    const { events, grid, selection, decisions, library } = await renderer()
    events.openLibrary()
    await until(() => library.getState().grid.status === 'ready', 'the first page')
    const id = ids[20]!
    selection.clickPhoto(id, 'plain')
    await until(() => library.getState().detail?.state.status === 'ready', 'the details')
    // The tag arrives and the grid is read again; the details are not (yet): the list offers the grid's tags.
    addTag(services.db, [id], 'Holiday', now)
    await grid.refresh()
    const shown = () =>
      library
        .getState()
        .grid.items.find((p) => p.id === id)
        ?.tags.map((t) => t.name)
    await until(() => shown()?.includes('Holiday') === true, 'the grid with the tag')
    const detail = library.getState().detail
    expect(detail?.state.status === 'ready' && detail.state.data.photo.tags.map((t) => t.name)).not.toContain('Holiday')

    decisions.removeTagFromSelection(findTag(services.db, 'Holiday')!.id)
    await until(() => statusOf(id, 'Holiday') === undefined, 'the removal')
  })

  it('accepts the selection’s suggestions and undoes it', async () => {
    const { events, selection, decisions, library, notices } = await renderer()
    events.openLibrary()
    await until(() => library.getState().grid.status === 'ready', 'the first page')
    const cats = ids.filter((_, i) => i % 10 === 0).slice(0, 2)
    selection.clickPhoto(cats[0]!, 'plain')
    selection.clickPhoto(cats[1]!, 'range')

    decisions.acceptSelection()
    await until(() => library.getState().undo.length === 1, 'the decision')
    expect(cats.map((id) => statusOf(id, 'cat'))).toEqual(['accepted', 'accepted'])
    expect(notices.getState().notice?.text).toBe('Accepted “cat” on 2 photos. Z undoes.')
    await until(() => library.getState().counts?.needsReview === 58, 'the counts after the decision')

    await decisions.undoLast()
    expect(cats.map((id) => statusOf(id, 'cat'))).toEqual(['suggested', 'suggested'])
    expect(notices.getState().notice?.text).toBe('Undone: Accepted “cat” on 2 photos.')
    await decisions.undoLast()
    expect(notices.getState().notice?.text).toBe('Nothing to undo.')
  })
})
