import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { findTag, recordPredictions } from '../../../src/main/tags'
import { createTestServices, type TestServices } from '../../support/services'
import { addNumberedPhoto } from '../../support/tag-store'
import { tagStatus } from './tag-status'
import { installWindowApi, until } from './window-bridge'

const MODEL = 'resnet56-cifar10'
const now = (): Date => new Date('2026-01-02T03:04:05Z')

/**
 * The Review screen's state against the main process's real handler table over a real database: the
 * classes with suggestions waiting, their queue lowest probability first, decisions one at a time and
 * their undo.
 */
describe('the Review state', () => {
  let services: TestServices
  /** The photo ids suggested as cats (p 0.95, 0.85, 0.75) and ships (0.9, 0.8), in that order. */
  const cats: number[] = []
  const ships: number[] = []

  async function renderer() {
    vi.resetModules()
    const actions = await import('../../../src/renderer/src/review/review-actions')
    actions.startReview()
    return { actions, review: (await import('../../../src/renderer/src/review/review-store')).useReviewStore }
  }

  const statusOf = (photoId: number, tag: string): string | undefined => tagStatus(services.db, photoId, tag)

  beforeAll(async () => {
    services = await createTestServices()
    const suggest = (n: number, label: string, p: number): number => {
      const photoId = addNumberedPhoto(services.db, n, now)
      recordPredictions(services.db, { photoId, modelId: MODEL, top: [{ index: 0, label, p }] }, now)
      return photoId
    }
    cats.push(suggest(1, 'cat', 0.95), suggest(2, 'cat', 0.85), suggest(3, 'cat', 0.75))
    ships.push(suggest(4, 'ship', 0.9), suggest(5, 'ship', 0.8))
    installWindowApi(services)
  })
  afterAll(() => {
    vi.unstubAllGlobals()
    return services.dispose()
  })

  /** The queue as photo ids with their decisions, and the entry shown. */
  function queueOf(review: Awaited<ReturnType<typeof renderer>>['review']) {
    const { queue, index } = review.getState()
    if (queue.status !== 'ready') return undefined
    return { shown: index, entries: queue.data.entries.map((e) => [e.item.photoId, e.decision] as const) }
  }

  it('lists the classes waiting and one class’s queue from its least sure suggestion', async () => {
    const { actions, review } = await renderer()
    actions.openReview()
    await until(() => review.getState().groups.status === 'ready', 'the classes')
    const groups = review.getState().groups
    expect(groups.status === 'ready' && groups.data.map((g) => [g.name, g.count])).toEqual(
      expect.arrayContaining([
        ['cat', 3],
        ['ship', 2],
      ]),
    )

    await actions.loadQueue(findTag(services.db, 'cat')!.id)
    expect(queueOf(review)).toEqual({
      shown: 0,
      entries: [
        [cats[2], null],
        [cats[1], null],
        [cats[0], null],
      ],
    })
  })

  it('accepts and rejects one suggestion at a time, moves on, and undoes the last decisions in turn', async () => {
    const { actions, review } = await renderer()
    actions.openReview()
    await actions.loadQueue(findTag(services.db, 'ship')!.id)
    expect(queueOf(review)?.entries.map(([id]) => id)).toEqual([ships[1], ships[0]])

    await actions.decide('accept')
    await actions.decide('reject')
    expect(queueOf(review)).toEqual({
      shown: 2,
      entries: [
        [ships[1], 'accepted'],
        [ships[0], 'rejected'],
      ],
    })
    expect([statusOf(ships[1]!, 'ship'), statusOf(ships[0]!, 'ship')]).toEqual(['accepted', 'rejected'])

    // ← goes back to a decided one; deciding it again (accept after reject) is undone to the first decision.
    actions.move(-1)
    await actions.decide('accept')
    expect(statusOf(ships[0]!, 'ship')).toBe('accepted')
    await actions.undoDecision()
    expect(statusOf(ships[0]!, 'ship')).toBe('rejected')
    await actions.undoDecision()
    await actions.undoDecision()
    expect(queueOf(review)).toEqual({
      shown: 0,
      entries: [
        [ships[1], null],
        [ships[0], null],
      ],
    })
    expect([statusOf(ships[1]!, 'ship'), statusOf(ships[0]!, 'ship')]).toEqual(['suggested', 'suggested'])
    expect(review.getState().error).toBeNull()
  })
})
