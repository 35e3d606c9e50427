import { copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { invokeHandler } from '../../src/main/ipc/dispatch'
import { fitProfileInWorker } from '../../src/main/knowledge/fit-in-worker'
import { evenSample, folderClasses, ProfileBuilds } from '../../src/main/knowledge/profile-builds'
import type { KnowledgeView, ProfileProgress } from '../../src/shared/ipc/contract'
import { knowledgeSentence } from '../../src/renderer/src/models/knowledge-text'
import { oodScore } from '../../src/shared/knowledge/judge'
import type { KnowledgeProfile } from '../../src/shared/knowledge/profile'
import { copyCifar } from '../crash/organize-helpers'
import { createTestServices, type TestServices } from '../support/services'
import { cifarHalfDir } from '../support/shared'

const MODEL = 'resnet56-cifar10'

// Each test takes a few seconds; the generous timeouts are for a machine loaded by other work.
describe('building a knowledge profile in the app', () => {
  let services: TestServices
  let photos: string
  const progress: ProfileProgress[] = []
  const invoke = (channel: string, input?: unknown) => invokeHandler(services.handlers, channel, input)

  /** Picks a folder through the IPC (the dialog answers with `folder`) and returns its token. */
  async function pick(folder: string): Promise<string> {
    services.dialogAnswers.folder.push(folder)
    const picked = (await invoke('models:pickProfileFolder')) as { token: string; name: string }
    return picked.token
  }

  function profileFiles(): string[] {
    return readdirSync(services.paths.modelsDir).filter((name) => name.includes('.profile.json'))
  }

  beforeAll(async () => {
    services = await createTestServices()
    services.events.subscribe((event, payload) => {
      if (event === 'models:profileProgress') progress.push(payload as ProfileProgress)
    })
    // 200 real photos in class folders (20 of each CIFAR-10 class); one folder named in capitals.
    photos = join(services.dataDir, 'photos')
    copyCifar(photos, 20)
    renameSync(join(photos, 'cat'), join(photos, 'CAT'))
  })
  afterAll(async () => {
    await services?.dispose()
  })

  it('builds a profile from a folder, writes it, and the model then classifies with it', async () => {
    const before = (await invoke('models:knowledge', { id: MODEL })) as { source: string; userBuilt: boolean }
    expect(before.userBuilt).toBe(false)

    const token = await pick(photos)
    progress.length = 0
    const { total, finished } = await services.profiles.start(MODEL, token, { labelsFromFolders: true })
    expect(total).toBe(200)
    const outcome = await finished
    expect(outcome, outcome.message).toMatchObject({ phase: 'done' })
    expect(outcome.message).toMatch(/200 photos.*200 named by their folder/)
    // Progress: reading (done/total with a rate), fitting, done.
    expect(progress[0]).toMatchObject({ modelId: MODEL, phase: 'reading', done: 0, total: 200 })
    expect(progress.map((p) => p.phase)).toEqual(expect.arrayContaining(['reading', 'fitting', 'done']))
    expect(progress.at(-1)).toMatchObject({ phase: 'done', done: 200, total: 200 })
    expect(progress.at(-1)!.imagesPerSecond).toBeGreaterThan(0)

    expect(profileFiles()).toEqual([`${MODEL}.profile.json`])
    expect(services.library.profilePath(MODEL)).toBe(services.library.userProfilePath(MODEL))
    const status = await invoke('models:knowledge', { id: MODEL })
    expect(status).toMatchObject({ source: 'profile', images: 200, userBuilt: true, building: false })
    expect(status).not.toHaveProperty('note')

    // The engine worker loads the new profile (its mtime is part of the session key): verdicts come from it.
    // (The worker's classify, on the CPU engine profiles are built on; a job's classify would first measure engines.)
    const results: unknown[] = []
    const paths = ['dog', 'ship'].map((c) => join(photos, c, readdirSync(join(photos, c))[0]!))
    for await (const batch of services.engines.extract(MODEL, paths)) results.push(...batch)
    expect(results).toHaveLength(2)
    // The very profile written: each photo's score is the one it gives (not a shipped profile's).
    const written = JSON.parse(readFileSync(services.library.userProfilePath(MODEL), 'utf8')) as KnowledgeProfile
    for (const result of results as { features: Float32Array; verdict: { source: string; ood: number } }[]) {
      expect(result.verdict.source).toBe('profile')
      expect(result.verdict.ood).toBeCloseTo(oodScore(result.features, written), 3)
    }
    // The token was used up.
    await expect(services.profiles.start(MODEL, token, { labelsFromFolders: false })).rejects.toThrow(/choose it again/)
  }, 60_000)

  it('a cancelled build writes nothing and leaves the profile there was', async () => {
    const deleted = await invoke('models:deleteProfile', { id: MODEL })
    expect(deleted).toMatchObject({ userBuilt: false })
    expect(profileFiles()).toEqual([])

    const token = await pick(photos)
    const { finished } = await services.profiles.start(MODEL, token, { labelsFromFolders: false })
    // One build at a time per model.
    await expect(services.profiles.start(MODEL, await pick(photos), { labelsFromFolders: false })).rejects.toThrow(
      /already being built/,
    )
    expect(await invoke('models:knowledge', { id: MODEL })).toMatchObject({ building: true })
    expect(await invoke('models:cancelProfile', { id: MODEL })).toEqual({ cancelled: true })
    expect(await finished).toMatchObject({ phase: 'cancelled' })
    expect(progress.at(-1)).toMatchObject({ phase: 'cancelled' })
    expect(profileFiles()).toEqual([])
    expect(await invoke('models:knowledge', { id: MODEL })).toMatchObject({ userBuilt: false, building: false })
    expect(await invoke('models:cancelProfile', { id: MODEL })).toEqual({ cancelled: false })
  }, 60_000)

  it('a build cancelled while the profile is fitted writes nothing either', async () => {
    let fitting!: () => void
    const fitStarted = new Promise<void>((resolve) => (fitting = resolve))
    const builds = new ProfileBuilds({
      library: services.library,
      extract: (id, paths, signal) => services.engines.extract(id, paths, signal),
      layout: (id) => services.artifacts.featureLayout(id),
      // A fit that takes until it is stopped.
      fit: (_input, signal) =>
        new Promise((_resolve, reject) => {
          fitting()
          signal.addEventListener('abort', () => reject(new Error('cancelled')))
        }),
      emit: services.events.emit,
    })
    const { finished } = await builds.start(MODEL, builds.grantFolder(photos).token, { labelsFromFolders: false })
    await fitStarted
    expect(progress.at(-1)).toMatchObject({ phase: 'fitting', done: 200, total: 200 })
    expect(builds.cancel(MODEL)).toBe(true)
    expect(await finished).toMatchObject({ phase: 'cancelled', message: 'Cancelled: no profile was written.' })
    expect(profileFiles()).toEqual([])
  }, 60_000)

  it('the fit in its worker thread stops when cancelled', async () => {
    const layout = { stages: [{ name: 'layer4', channels: 512 }] }
    const n = 400
    const features = Array.from({ length: n }, (_, i) =>
      Float32Array.from({ length: 1024 }, (_, j) => ((i * 7 + j) % 13) / 13),
    )
    const logits = Array.from({ length: n }, (_, i) => Float32Array.from({ length: 10 }, (_, j) => (i + j) % 10))
    const controller = new AbortController()
    const fit = fitProfileInWorker(
      { sha256: 'a'.repeat(64), layout, classes: 10, features, logits, labels: logits.map(() => undefined) },
      controller.signal,
    )
    setTimeout(() => controller.abort(), 50)
    await expect(fit).rejects.toThrow('cancelled')
  })

  it("says why a profile is refused (another model's), and the card offers to build one", async () => {
    const shipped = services.library.profilePath(MODEL)
    if (shipped === undefined) return // the bundled model ships no profile here
    const other = JSON.parse(readFileSync(shipped, 'utf8')) as { model: { sha256: string } }
    other.model.sha256 = 'b'.repeat(64)
    writeFileSync(services.library.userProfilePath(MODEL), JSON.stringify(other))
    const view = (await invoke('models:knowledge', { id: MODEL })) as KnowledgeView
    expect(view).toMatchObject({ source: 'energy', userBuilt: true })
    expect(view.note).toMatch(/^profile refused: This profile was built for another model/)
    expect(knowledgeSentence(view)).toMatch(
      /^Profile refused: This profile was built for another model .*\. 'Unknown' comes/,
    )
    expect(await invoke('models:deleteProfile', { id: MODEL })).toMatchObject({ source: 'profile', userBuilt: false })
  })

  it('refuses a folder with too few photos, saying how many are needed', async () => {
    const few = join(services.dataDir, 'few')
    mkdirSync(few)
    for (const name of readdirSync(join(cifarHalfDir(), 'dog')).slice(0, 5)) {
      copyFileSync(join(cifarHalfDir(), 'dog', name), join(few, name))
    }
    const token = await pick(few)
    await expect(invoke('models:buildProfile', { id: MODEL, token, labelsFromFolders: true })).rejects.toThrow(
      /few holds 5 photos; a profile needs at least 100 readable photos/,
    )
    expect(profileFiles()).toEqual([])
  })

  it('fails clearly when too few of the photos can be read, and writes nothing', async () => {
    const junk = join(services.dataDir, 'junk')
    mkdirSync(junk)
    for (let i = 0; i < 120; i++) writeFileSync(join(junk, `photo-${i}.jpg`), `not a photo ${i}`)
    const { finished } = await services.profiles.start(MODEL, await pick(junk), { labelsFromFolders: false })
    const outcome = await finished
    expect(outcome.phase).toBe('failed')
    expect(outcome.message).toMatch(
      /^Only 0 photos of 120 could be read \(photo-0\.jpg: .+\); a profile needs at least 100/,
    )
    expect(profileFiles()).toEqual([])
    rmSync(junk, { recursive: true })
  }, 60_000)
})

describe('profile build helpers', () => {
  it("words the card's Knowledge line", () => {
    expect(
      knowledgeSentence({
        source: 'profile',
        images: 5000,
        builtAt: '2026-12-03T10:00:00.000Z',
        keptShare: 0.951,
        threshold: 12,
        userBuilt: false,
        building: false,
      }),
    ).toBe("Knows what it doesn't: profile from 5,000 photos (3 Dec 2026) · keeps 95% of what it knows")
    expect(knowledgeSentence({ source: 'energy', note: 'no profile', userBuilt: false, building: false })).toBe(
      "No profile: 'unknown' comes from the logits alone, which misses many photos",
    )
  })

  it('matches folder names to labels without regard to case, spaces, underscores or hyphens', () => {
    const classOf = folderClasses(['golden retriever', 'cat', 'three-toed sloth'])
    expect(classOf('/p/Golden_Retriever/a.jpg')).toBe(0)
    expect(classOf('/p/CAT/b.jpg')).toBe(1)
    expect(classOf('/p/three toed sloth/c.jpg')).toBe(2)
    expect(classOf('/p/holiday/d.jpg')).toBeUndefined()
  })

  it('samples a long list evenly, in order', () => {
    expect(evenSample([1, 2, 3], 5)).toEqual([1, 2, 3])
    expect(evenSample([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 5)).toEqual([0, 2, 4, 6, 8])
  })
})
