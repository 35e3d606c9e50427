import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dispatch } from '../../src/main/ipc/dispatch'
import { createAppRequestHandler } from '../../src/main/protocol/app-protocol'
import { contract, type Channel, type ChannelInput, type ChannelOutput } from '../../src/shared/ipc/contract'
import { unwrapReply } from '../../src/shared/ipc/errors'
import { waitForEvent } from '../support/events'
import { createTestServices, type TestServices } from '../support/services'
import { cifarHalfDir, repoRoot, sharedPath } from '../support/shared'

describe('photo library over IPC', () => {
  let services: TestServices
  let folder: string
  // Through the envelope, as the page's calls go: a failure is thrown as an IpcError.
  const call = async <C extends Channel>(channel: C, input?: ChannelInput<C>): Promise<ChannelOutput<C>> =>
    contract[channel].output.parse(unwrapReply(await dispatch(services.handlers, channel, input))) as ChannelOutput<C>

  beforeAll(async () => {
    services = await createTestServices()
    folder = join(services.dataDir, 'holiday')
    mkdirSync(join(folder, 'day2'), { recursive: true })
    for (const [from, to] of [
      ['cat/0000.jpg', 'cat-a.jpg'],
      ['cat/0002.jpg', 'day2/cat-b.jpg'],
      ['ship/0000.jpg', 'ship.jpg'],
      ['truck/0000.jpg', 'day2/truck.jpg'],
    ] as const) {
      copyFileSync(join(cifarHalfDir(), from), join(folder, to))
    }
    copyFileSync(sharedPath('photos', 'chelsea.png'), join(folder, 'chelsea.png'))
    writeFileSync(join(folder, 'notes.txt'), 'not a photo')
  })
  afterAll(() => services.dispose())

  it('adds a dropped folder, lists what it skipped, and classifies the new photos', async () => {
    const report = await call('library:addPaths', { paths: [folder] })
    expect(report).toMatchObject({ added: 5, unchanged: 0 })
    expect(report.skipped.map((s) => s.path)).toEqual([join(folder, 'notes.txt')])
    expect((await call('library:addPaths', { paths: [folder] })).unchanged).toBe(5) // idempotent

    // The main process classifies the pending photos as a library job on the jobs runner.
    expect(await call('library:pendingCount', { modelId: 'resnet56-cifar10' })).toEqual({ count: 5 })
    const done = waitForEvent(services.events, 'jobs:changed', (e) => e.state === 'done', 120_000)
    const job = await call('library:classify', { modelId: 'resnet56-cifar10' })
    expect(job).toMatchObject({ kind: 'library', folder: null, total: 5 })
    expect((await done).jobId).toBe(job.id)
    expect((await call('jobs:list')).find((j) => j.id === job.id)).toMatchObject({ classified: 5, failed: 0 })
    expect(await call('library:pendingCount', { modelId: 'resnet56-cifar10' })).toEqual({ count: 0 })

    const cat = (await call('library:tags')).find((t) => t.name === 'cat')!
    expect(cat.suggested).toBeGreaterThanOrEqual(2)
    const catPhotos = await call('library:photos', { filter: { tagIds: [cat.id] } })
    expect(catPhotos.photos.map((p) => p.name)).toEqual(expect.arrayContaining(['cat-a.jpg', 'chelsea.png']))
    expect(catPhotos.total).toBe(catPhotos.photos.length)
  })

  it('accepts, rejects and undoes review decisions, and filters by status and search', async () => {
    const groups = await call('review:groups')
    const catGroup = groups.find((g) => g.name === 'cat')!
    const queue = await call('review:queue', { tagId: catGroup.tagId })
    const scores = queue.items.map((i) => i.score)
    expect(scores).toEqual([...scores].sort((a, b) => a - b)) // lowest probability first
    const [first, second] = queue.items
    const accepted = await call('tags:accept', { photoIds: [first!.photoId], tagId: first!.tagId })
    await call('tags:reject', { photoIds: [second!.photoId], tagId: second!.tagId })
    const photo = await call('library:photo', { id: first!.photoId })
    expect(photo.photo.tags.find((t) => t.name === 'cat')!.status).toBe('accepted')
    expect(photo.predictions[0]!.top).toHaveLength(5)

    await call('tags:undo', { change: accepted })
    expect((await call('library:photo', { id: first!.photoId })).photo.tags.find((t) => t.name === 'cat')!.status).toBe(
      'suggested',
    )
    await call('tags:add', { photoIds: [first!.photoId], name: 'Holiday 2026' })
    expect((await call('library:searchTags', { query: 'holi' })).map((t) => t.name)).toEqual(['Holiday 2026'])
    expect((await call('library:photos', { filter: { tagQuery: 'holi' } })).photos.map((p) => p.id)).toEqual([
      first!.photoId,
    ])
    const needsReview = await call('library:photos', { filter: { needsReview: true } })
    expect(needsReview.photos.length).toBeGreaterThan(0)
    for (const p of needsReview.photos) expect(p.tags.some((t) => t.status === 'suggested')).toBe(true)
    const all = await call('library:photos', { filter: {} })
    const reviewed = all.photos.filter((p) => !p.tags.some((t) => t.status === 'suggested')).map((p) => p.id)
    expect(needsReview.photos.map((p) => p.id)).not.toEqual(expect.arrayContaining(reviewed.length ? reviewed : [-1]))
  })

  it('serves thumbnails and photos the library knows, and nothing else', async () => {
    const handle = createAppRequestHandler({
      rendererDir: join(repoRoot, 'out', 'renderer'),
      resolveModelFile: () => undefined,
      resolvePhotoFile: (id, kind, size) => services.photos.file(id, kind, size),
    })
    const [photo] = (await call('library:photos', { filter: {} })).photos
    const thumb = await handle(new Request(`app://bundle${photo!.thumbUrl}`))
    expect(thumb.status).toBe(200)
    expect(thumb.headers.get('content-type')).toBe('image/jpeg')
    expect([...new Uint8Array(await thumb.arrayBuffer()).subarray(0, 2)]).toEqual([0xff, 0xd8])
    const original = await handle(new Request(`app://bundle${photo!.photoUrl}`))
    expect(new Uint8Array(await original.arrayBuffer())).toEqual(new Uint8Array(readFileSync(photo!.path)))
    expect((await handle(new Request('app://bundle/library/photos/99999/original'))).status).toBe(404)
    expect((await handle(new Request('app://bundle/library/photos/1/thumb-9999.jpg'))).status).not.toBe(200)
  })

  it("reads the keywords of an existing sidecar as the person's tags when a photo is added", async () => {
    const photoPath = join(services.dataDir, 'tagged-elsewhere.jpg')
    copyFileSync(join(cifarHalfDir(), 'horse', '0000.jpg'), photoPath)
    writeFileSync(
      `${photoPath}.xmp`,
      `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="4">
<dc:subject><rdf:Bag><rdf:li>farm</rdf:li><rdf:li>Pony club</rdf:li></rdf:Bag></dc:subject>
</rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>`,
    )
    const report = await call('library:addPaths', { paths: [photoPath] })
    const { photo } = await call('library:photo', { id: report.photoIds[0]! })
    expect(photo.tags.map((t) => [t.name, t.source, t.status])).toEqual([
      ['farm', 'person', 'accepted'],
      ['Pony club', 'person', 'accepted'],
    ])
    await call('tags:remove', { photoIds: [photo.id], tagId: photo.tags[0]!.tagId })
  })

  it('writes accepted tags to XMP sidecars and exports predictions and tags', async () => {
    const [photo] = (await call('library:photos', { filter: {} })).photos
    await call('tags:add', { photoIds: [photo!.id], name: 'favourite' })
    const sidecars = await call('library:writeSidecars', { photoIds: [photo!.id] })
    expect(sidecars).toMatchObject({ written: 1, failed: [] })
    expect(readFileSync(`${photo!.path}.xmp`, 'utf8')).toContain('favourite')

    const target = join(services.dataDir, 'export.csv')
    services.dialogAnswers.exportFile.push(target)
    expect(await call('library:export', { format: 'csv' })).toEqual({ path: target, rows: 6 })
    const csv = readFileSync(target, 'utf8')
    expect(csv.split('\n')[0]).toContain('path')
    expect(csv).toContain('favourite')
    expect(await call('library:export', { format: 'json' })).toBeNull() // the person cancelled
    expect(existsSync(join(services.dataDir, 'export.json'))).toBe(false)
  })
})
