import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { Worker } from 'node:worker_threads'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openApp, type AppSession } from '../support/app-session'
import { RESNET20 } from '../support/import-model'
import { copyCifar } from '../crash/organize-helpers'
import { cifarHalfDir, repoRoot } from '../support/shared'

const MODEL = 'resnet56-cifar10'
/** The catalog entry the first start offers (`FIRST_START_CATALOG_ID` in FirstStart.tsx): ImageNet ResNet-50 v1. */
const FIRST_START_CATALOG_ID = 'resnet50-v1-7'
const card = (page: Page) => page.locator(`[data-testid="model-card"][data-model-id="${MODEL}"]`)

describe('Knowledge profiles on the Models screen', () => {
  let app: AppSession
  beforeAll(async () => {
    app = await openApp()
  })
  afterAll(async () => {
    await app?.close()
  })

  it('says what the bundled model knows on first start, offers ResNet-50, and stays dismissed', async () => {
    const { page } = app
    const note = page.getByTestId('first-start')
    await note.waitFor()
    expect(await note.textContent()).toContain('knows 10 CIFAR-10 classes, at 32×32 pixels')
    expect(await note.getByTestId('first-start-download').textContent()).toMatch(/Download ResNet-50 \(\d+ MB\)/)
    await note.getByTestId('first-start-dismiss').click()
    await note.waitFor({ state: 'detached' })
    await page.reload()
    await page.getByTestId('drop-zone').waitFor()
    expect(await page.getByTestId('first-start').count()).toBe(0)
  })

  it('builds a profile from a folder through the card, and the Knowledge line changes', async () => {
    const { page, services } = app
    await page.getByTestId('nav-models').click()
    const knowledge = card(page).getByTestId('knowledge')
    await expect.poll(() => knowledge.getByTestId('knowledge-text').textContent()).not.toMatch(/reading the profile/)
    const before = await knowledge.getByTestId('knowledge-text').textContent()
    if ((await knowledge.getAttribute('data-source')) === 'energy') {
      expect(before).toMatch(/^No profile: 'unknown' comes from the logits alone/)
    }

    // A folder with too few photos: the refusal says how many are needed, and nothing is written.
    const few = join(services.dataDir, 'few')
    mkdirSync(few)
    for (const name of readdirSync(join(cifarHalfDir(), 'cat')).slice(0, 3)) {
      copyFileSync(join(cifarHalfDir(), 'cat', name), join(few, name))
    }
    services.dialogAnswers.folder.push(few)
    // Keyboard: the button is reachable and Enter opens the folder dialog.
    await knowledge.getByTestId('build-profile').focus()
    await page.keyboard.press('Enter')
    await expect.poll(() => knowledge.getByTestId('profile-folder').textContent()).toBe('few')
    await knowledge.getByTestId('start-profile').click()
    await expect
      .poll(() => knowledge.getByTestId('profile-error').textContent())
      .toMatch(/few holds 3 photos; a profile needs at least 100 readable photos/)

    // A real folder: 150 CIFAR-10 test photos in class folders, named as the classes.
    const photos = join(services.dataDir, 'cifar-150')
    copyCifar(photos, 15)
    services.dialogAnswers.folder.push(photos)
    await knowledge.getByRole('button', { name: 'Change…' }).click()
    await expect.poll(() => knowledge.getByTestId('profile-folder').textContent()).toBe('cifar-150')
    await knowledge.getByTestId('labels-from-folders').focus()
    await page.keyboard.press('Space')
    expect(await knowledge.getByTestId('labels-from-folders').isChecked()).toBe(true)
    await knowledge.getByTestId('start-profile').click()

    // The build shows its progress, then the card reads the new profile (the bundled model may ship one too).
    await expect
      .poll(() => knowledge.getByTestId('knowledge-text').textContent(), { timeout: 30_000 })
      .toMatch(/^Knows what it doesn't: profile from 150 photos \(\d{1,2} \w{3} \d{4}\) · keeps \d+% of what it knows$/)
    expect(await knowledge.getAttribute('data-source')).toBe('profile')
    expect(await knowledge.getByTestId('knowledge-text').textContent()).not.toBe(before)
    expect(existsSync(services.library.userProfilePath(MODEL))).toBe(true)
    expect(await knowledge.getByTestId('build-profile').textContent()).toBe('Rebuild…')

    // Deleting the profile built here goes back to what there was.
    await knowledge.getByTestId('delete-profile').click()
    await expect.poll(() => knowledge.getByTestId('knowledge-text').textContent()).toBe(before)
    expect(existsSync(services.library.userProfilePath(MODEL))).toBe(false)
  })
})

describe('First start: the ImageNet model in one click', () => {
  let app: AppSession
  /** The library model the (simulated) catalog download became. */
  let installed: string | undefined
  const downloads: string[] = []
  beforeAll(async () => {
    // The catalog's own download needs the network: here the download is answered by the test, which adds a
    // real model to the library as its result and tells the window as the download service does.
    app = await openApp({
      handlers: (real) => ({
        ...real,
        'catalog:list': async () =>
          (await real['catalog:list'](undefined)).map((entry) =>
            entry.id === FIRST_START_CATALOG_ID && installed !== undefined
              ? { ...entry, state: 'installed' as const, installedModelId: installed }
              : entry,
          ),
        'catalog:download': ({ id }) => {
          downloads.push(id)
          return { started: true }
        },
      }),
    })
  })
  afterAll(async () => {
    await app?.close()
  })

  it('downloads ResNet-50 with progress, then offers to make it the active model', async () => {
    const { page, services } = app
    const note = page.getByTestId('first-start')
    await note.getByTestId('first-start-download').click()
    await expect.poll(() => downloads).toEqual([FIRST_START_CATALOG_ID])
    const total = 102_583_340
    services.events.emit('catalog:progress', {
      id: FIRST_START_CATALOG_ID,
      state: 'downloading',
      received: total / 4,
      total,
      bytesPerSecond: 5_000_000,
    })
    await expect
      .poll(() => note.getByTestId('first-start-progress').getAttribute('aria-valuenow'))
      .toBe(String(total / 4))
    expect(await note.textContent()).toMatch(/of \d+ MB · .+ left/)

    services.dialogAnswers.model.push(RESNET20())
    const picked = (await services.handlers['models:pickFile'](undefined))!
    const preview = await services.handlers['models:inspect']({ token: picked.token })
    const { model } = await services.handlers['models:import']({
      token: picked.token,
      name: 'ImageNet stand-in',
      labels: { kind: 'builtin', id: 'cifar10' },
      preprocessing: preview.preprocessing,
    })
    installed = model.id
    services.events.emit('catalog:progress', {
      id: FIRST_START_CATALOG_ID,
      state: 'done',
      received: total,
      total,
      bytesPerSecond: 0,
      modelId: model.id,
    })
    const activate = note.getByTestId('first-start-activate')
    await expect.poll(() => activate.textContent()).toBe('Make ImageNet stand-in the active model')
    await activate.click()
    await note.waitFor({ state: 'detached' })
    expect(services.library.activeId()).toBe(model.id)
  })
})

describe('built app', () => {
  it('builds the profile fit as its own worker entry, which fits a profile', async () => {
    const script = join(repoRoot, 'out', 'main', 'fit-worker.js')
    expect(readFileSync(script, 'utf8')).not.toMatch(/from ["']electron["']/)
    const n = 60
    const features = Array.from({ length: n }, (_, i) =>
      Float32Array.from({ length: 3 * 16 }, (_, j) => ((i * 5 + j) % 11) / 11),
    )
    const logits = Array.from({ length: n }, (_, i) => Float32Array.from({ length: 10 }, (_, j) => ((i + j) % 10) / 3))
    const worker = new Worker(script)
    try {
      const reply = await new Promise<{
        ok: boolean
        value?: { profile: { images: number; model: { sha256: string } } }
      }>((resolve, reject) => {
        worker.once('message', resolve)
        worker.once('error', reject)
        worker.postMessage({
          sha256: 'c'.repeat(64),
          layout: { stages: [{ name: 'layer3', channels: 16 }] },
          classes: 10,
          features,
          logits,
          labels: features.map(() => undefined),
        })
      })
      expect(reply).toMatchObject({ ok: true, value: { profile: { images: n, model: { sha256: 'c'.repeat(64) } } } })
    } finally {
      await worker.terminate()
    }
  })
})
