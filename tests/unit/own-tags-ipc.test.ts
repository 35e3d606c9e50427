import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dispatch } from '../../src/main/ipc/dispatch'
import { contract, type Channel, type ChannelInput, type ChannelOutput } from '../../src/shared/ipc/contract'
import { unwrapReply } from '../../src/shared/ipc/errors'
import { waitForEvent } from '../support/events'
import { createTestServices, type TestServices } from '../support/services'
import { cifarHalfDir, sharedPath } from '../support/shared'
import { makeVariants } from '../support/variants'

const CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']

/**
 * Similar photos, learned tags and near-duplicates over IPC, on the app's services: photos added to the library,
 * classified by the library's job on the engine worker (which stores each photo's embedding with its predictions).
 */
describe('own tags over IPC', () => {
  let services: TestServices
  let folder: string
  const call = async <C extends Channel>(channel: C, input?: ChannelInput<C>): Promise<ChannelOutput<C>> =>
    contract[channel].output.parse(unwrapReply(await dispatch(services.handlers, channel, input))) as ChannelOutput<C>
  const idsByName = new Map<string, number>()

  beforeAll(async () => {
    services = await createTestServices()
    folder = join(services.dataDir, 'photos')
    mkdirSync(folder)
    // 10 photos of each class.
    for (const name of CLASSES) {
      const count = 50
      for (const file of readdirSync(join(cifarHalfDir(), name)).sort().slice(0, count)) {
        copyFileSync(join(cifarHalfDir(), name, file), join(folder, `${name}-${file}`))
      }
    }
    await makeVariants(sharedPath('photos', 'chelsea.png'), join(folder, 'copies'))
    copyFileSync(sharedPath('photos', 'chelsea.png'), join(folder, 'copies', 'chelsea.png'))
    await call('library:addPaths', { paths: [folder] })
    const done = waitForEvent(services.events, 'jobs:changed', (e) => e.state === 'done', 170_000)
    await call('library:classify', {})
    await done
    for (const photo of (await call('library:photos', { filter: {}, limit: 1000 })).photos) {
      idsByName.set(photo.name, photo.id)
    }
  }, 180_000)
  afterAll(() => services?.dispose())

  const idsOf = (prefix: string, count: number): number[] =>
    [...idsByName]
      .filter(([name]) => name.startsWith(prefix))
      .map(([, id]) => id)
      .slice(0, count)

  it('"More like this" on a cat photo returns mostly cats, best first, without the photo itself', async () => {
    // The cat photo the model is surest of (a cat photo it takes for a dog is more like dogs, rightly).
    let cat = 0
    let surest = 0
    for (const id of idsOf('cat-', 50)) {
      const [top] = (await call('library:photo', { id })).predictions[0]!.top
      if (top!.label === 'cat' && top!.p > surest) [cat, surest] = [id, top!.p]
    }
    const similar = await call('similar:photos', { photoIds: [cat], top: 10 })
    expect(similar.missing).toBe(0)
    expect(similar.photos).toHaveLength(10)
    expect(similar.photos.map((p) => p.photo.id)).not.toContain(cat)
    const scores = similar.photos.map((p) => p.score)
    expect(scores).toEqual([...scores].sort((a, b) => b - a))
    const cats = similar.photos.filter((p) => p.photo.name.startsWith('cat-')).length
    // A tenth of the library's CIFAR photos are cats; the embedding puts them first.
    expect(cats).toBeGreaterThanOrEqual(6)

    // A selection: the mean of its photos.
    const ships = idsOf('ship-', 3)
    const likeShips = await call('similar:photos', { photoIds: ships, top: 10 })
    expect(likeShips.photos.filter((p) => p.photo.name.startsWith('ship-')).length).toBeGreaterThanOrEqual(7)
  })

  it('learns a tag from 5 accepted photos, suggests it for review, and learns again from the decisions', async () => {
    await call('tags:add', { photoIds: idsOf('ship-', 5), name: 'boats' })
    const before = await call('learned:tags')
    const learnable = before.learnable.find((t) => t.name === 'boats')
    expect(learnable).toMatchObject({ examples: 5 })
    await expect(
      call('learned:learn', { tagId: (await call('learned:tags')).learnable[0]!.tagId + 999 }),
    ).rejects.toThrow(/No tag/)

    const learned = await call('learned:learn', { tagId: learnable!.tagId })
    expect(learned).toMatchObject({ name: 'boats', positives: 5 })
    expect(learned.negatives).toBeGreaterThan(0)
    expect(learned.suggested).toBeGreaterThan(0)
    const group = (await call('review:groups')).find((g) => g.tagId === learned.tagId)
    expect(group?.count).toBe(learned.suggested)
    const queue = await call('review:queue', { tagId: learned.tagId })
    const suggestedShips = queue.items.filter((item) => item.name.startsWith('ship-')).length
    expect(suggestedShips / queue.items.length).toBeGreaterThan(0.5)

    // A rejected suggestion is a negative the next fit learns from; it is never suggested again.
    const wrong = queue.items.find((item) => !item.name.startsWith('ship-')) ?? queue.items[0]!
    await call('tags:reject', { photoIds: [wrong.photoId], tagId: learned.tagId })
    services.learned.flush()
    const after = (await call('learned:tags')).learned.find((t) => t.tagId === learned.tagId)!
    expect(after.negatives).toBeGreaterThanOrEqual(learned.negatives)
    const again = await call('review:queue', { tagId: learned.tagId })
    expect(again.items.map((item) => item.photoId)).not.toContain(wrong.photoId)
  })

  it('saves two learned tags as a model of the library, with a card that says where they came from', async () => {
    await call('tags:add', { photoIds: idsOf('cat-', 6), name: 'Whiskers' })
    const whiskers = (await call('learned:tags')).learnable.find((t) => t.name === 'Whiskers')!
    await call('learned:learn', { tagId: whiskers.tagId })
    const tags = (await call('learned:tags')).learned
    expect(tags.map((t) => t.name).sort()).toEqual(['Whiskers', 'boats'])

    const model = await call('learned:saveModel', { name: 'My tags', tagIds: tags.map((t) => t.tagId) })
    expect(model).toMatchObject({ name: 'My tags', classes: 2 })
    expect((await call('models:list')).map((m) => m.id)).toContain(model.id)
    const card = services.library.card(model.id)
    expect([...card.labels].sort()).toEqual(['Whiskers', 'boats'])
    expect(card.learned?.examples.map((e) => e.tag).sort()).toEqual(['Whiskers', 'boats'])
    expect(existsSync(services.library.resolveFile(model.id)!)).toBe(true)
    // Its Architecture view: the base model's stages, then the new head (the embedding's projections and
    // the tags' Gemm) as its classifier, with one output per tag.
    const architecture = await call('models:architecture', { id: model.id })
    expect(architecture.stages.filter((s) => s.kind === 'residual').map((s) => s.name)).toEqual([
      'layer1',
      'layer2',
      'layer3',
    ])
    const classifier = architecture.stages.find((s) => s.kind === 'classifier')!
    expect(classifier.output).toEqual([2])
    expect(classifier.ownLayers.map((l) => l.op)).toContain('Gemm')

    const forgot = await call('learned:forget', { tagId: whiskers.tagId })
    expect(forgot.withdrawn).toBeGreaterThanOrEqual(0)
    expect((await call('learned:tags')).learned.map((t) => t.name)).toEqual(['boats'])
    await expect(call('learned:saveModel', { name: 'x', tagIds: [whiskers.tagId, tags[0]!.tagId] })).rejects.toThrow(
      /not learned/,
    )
  })

  it('groups the copies of a photo, suggests the one to keep, and tells other photos apart', async () => {
    const progress: number[] = []
    const unsubscribe = services.events.subscribe((event, payload) => {
      if (event === 'duplicates:progress') progress.push((payload as { done: number }).done)
    })
    const { groups, photos } = await call('duplicates:find')
    unsubscribe()
    expect(photos).toBe(idsByName.size)
    expect(progress.length).toBeGreaterThan(0)
    const chelsea = groups.find((g) => g.photos.some((p) => p.name === 'chelsea.png'))
    expect(chelsea?.photos.map((p) => p.name).sort()).toEqual(
      [
        'chelsea-crop.png',
        'chelsea-double.png',
        'chelsea-exif-rotated.jpg',
        'chelsea-format.jpg',
        'chelsea-half.png',
        'chelsea-jpeg-q50.jpg',
        'chelsea.png',
      ].sort(),
    )
    // The largest picture is suggested (the ×2 copy: pixels cannot tell an upscale from an original).
    expect(chelsea!.photos.find((p) => p.id === chelsea!.keepId)?.name).toBe('chelsea-double.png')
    for (const group of groups.filter((g) => g !== chelsea)) {
      // Any other group is CIFAR's own: the same picture twice in the test set, never two classes.
      expect(new Set(group.photos.map((p) => p.name.split('-')[0])).size).toBe(1)
    }
  })
})
