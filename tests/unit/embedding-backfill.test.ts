import { copyFileSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readEmbedding } from '../../src/main/embeddings/embedding-store'
import { dispatch } from '../../src/main/ipc/dispatch'
import { modelEmbeddingVersion } from '../../src/main/knowledge/embedding-version'
import { findPhotoByPath } from '../../src/main/photo-library'
import { contract, type Channel, type ChannelInput, type ChannelOutput } from '../../src/shared/ipc/contract'
import { unwrapReply } from '../../src/shared/ipc/errors'
import { embeddingSpecFor } from '../../src/shared/embedding/embedding'
import type { FeatureLayout } from '../../src/shared/knowledge/features'
import { parseModelCard } from '../../src/shared/model-card'
import { waitForEvent } from '../support/events'
import { createTestServices, type TestServices } from '../support/services'
import { cifarHalfDir, repoRoot } from '../support/shared'

const MODEL = 'resnet56-cifar10'

describe('embeddings backfilled by the library job (the app services, a real database)', () => {
  let services: TestServices
  let folder: string
  const call = async <C extends Channel>(channel: C, input?: ChannelInput<C>): Promise<ChannelOutput<C>> =>
    contract[channel].output.parse(unwrapReply(await dispatch(services.handlers, channel, input))) as ChannelOutput<C>
  const classifyLibrary = async (): Promise<ChannelOutput<'jobs:list'>[number]> => {
    const done = waitForEvent(services.events, 'jobs:changed', (e) => e.state === 'done', 120_000)
    const job = await call('library:classify', { modelId: MODEL })
    expect((await done).jobId).toBe(job.id)
    return (await call('jobs:list')).find((j) => j.id === job.id)!
  }

  beforeAll(async () => {
    services = await createTestServices()
    folder = join(services.dataDir, 'photos')
    mkdirSync(folder)
    for (const name of ['cat/0000.jpg', 'ship/0000.jpg', 'truck/0000.jpg']) {
      copyFileSync(join(cifarHalfDir(), name), join(folder, name.replace('/', '-')))
    }
  })
  afterAll(() => services.dispose(), 60_000)

  it('expects the version the engine makes, and classifies again the photos that lack it, keeping their tags', async () => {
    await call('library:addPaths', { paths: [folder] })
    expect(await classifyLibrary()).toMatchObject({ state: 'done', total: 3, classified: 3 })
    const { db } = services
    const photos = ['cat-0000.jpg', 'ship-0000.jpg', 'truck-0000.jpg'].map((n) => findPhotoByPath(db, join(folder, n))!)
    // The main process's expected version is the one the engine worker made the embeddings with.
    const expected = await modelEmbeddingVersion({
      library: services.library,
      featureLayout: (id) => services.artifacts.featureLayout(id),
    })(MODEL)
    expect(expected).toBeGreaterThan(0)
    for (const photo of photos) expect(readEmbedding(db, MODEL, photo.sha256)?.version).toBe(expected)
    expect(await call('library:pendingCount', { modelId: MODEL })).toEqual({ count: 0 })

    // One photo from before embeddings, one with an embedding of an older spec.
    const [cat, ship, truck] = photos as [(typeof photos)[0], (typeof photos)[0], (typeof photos)[0]]
    db.prepare('DELETE FROM embeddings WHERE model_id = ? AND sha256 = ?').run(MODEL, cat.sha256)
    db.prepare('UPDATE embeddings SET version = ? WHERE model_id = ? AND sha256 = ?').run(
      expected! === 1 ? 2 : 1,
      MODEL,
      ship.sha256,
    )
    const catTag = (await call('library:photo', { id: cat.id })).photo.tags[0]!
    await call('tags:accept', { photoIds: [cat.id], tagId: catTag.tagId })
    const tagsBefore = (await call('library:photo', { id: cat.id })).photo.tags
    const predictionsBefore = (await call('library:photo', { id: cat.id })).predictions
    expect(await call('library:pendingCount', { modelId: MODEL })).toEqual({ count: 2 })

    expect(await classifyLibrary()).toMatchObject({ state: 'done', total: 2, classified: 2, reused: 0, failed: 0 })
    for (const photo of photos) expect(readEmbedding(db, MODEL, photo.sha256)?.version).toBe(expected)
    expect(await call('library:pendingCount', { modelId: MODEL })).toEqual({ count: 0 })
    const after = await call('library:photo', { id: cat.id })
    expect(after.photo.tags).toEqual(tagsBefore)
    expect(after.photo.tags.find((t) => t.tagId === catTag.tagId)!.status).toBe('accepted')
    expect(after.predictions).toEqual(predictionsBefore)
    const perPhoto = db
      .prepare('SELECT photo_id, count(*) AS n FROM predictions WHERE model_id = ? GROUP BY photo_id ORDER BY photo_id')
      .all(MODEL) as { photo_id: number; n: number }[]
    expect(perPhoto).toHaveLength(3)
    expect(new Set(perPhoto.map((r) => r.n)).size).toBe(1)
    // The untouched photo was not run again.
    expect(readEmbedding(db, MODEL, truck.sha256)?.version).toBe(expected)
  }, 180_000)
})

describe('modelEmbeddingVersion: the version of the embedding a model makes now', () => {
  const card = parseModelCard(
    JSON.parse(readFileSync(join(repoRoot, 'resources', 'models', `${MODEL}.card.json`), 'utf8')) as unknown,
  )
  const layout: FeatureLayout = {
    stages: [
      { name: 'stage1', channels: 4 },
      { name: 'stage2', channels: 8 },
    ],
  }

  it('is the spec of the layout without a profile, answered at once once known; none where it cannot be told', async () => {
    let asked = 0
    let fail = false
    const versionOf = modelEmbeddingVersion({
      library: {
        card: (id) => {
          if (id !== MODEL) throw new Error(`no model ${id}`)
          return card
        },
        profilePath: () => undefined,
      },
      featureLayout: async () => {
        asked++
        if (fail) throw new Error('its graph has no stages to take features from')
        return layout
      },
    })
    expect(versionOf('other')).toBeUndefined()
    fail = true
    expect(await versionOf(MODEL)).toBeUndefined()
    fail = false
    const first = versionOf(MODEL)
    expect(first).toBeInstanceOf(Promise)
    expect(await first).toBe(embeddingSpecFor(layout).version)
    // Known now: no promise, and the layout is not asked again.
    expect(versionOf(MODEL)).toBe(embeddingSpecFor(layout).version)
    expect(asked).toBe(2)
  })
})
