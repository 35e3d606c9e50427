import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openApp, type AppSession } from '../support/app-session'
import { filesUnder, sha256Of } from '../support/files'
import { jobsHandlersOn } from '../support/jobs-handlers'
import { cifarHalfDir } from '../support/shared'
import { eachPath, type ModelClassifyFn } from '../../src/main/inference/classify-result'

/** The photos of the folder: file → the CIFAR image it is. "unk-" files are none of the model's classes. */
const PHOTOS: Record<string, string> = {
  'cat-0000.jpg': 'cat/0000.jpg',
  'cat-0002.jpg': 'cat/0002.jpg',
  'ship-0000.jpg': 'ship/0000.jpg',
  'unsure-dog.jpg': 'dog/0000.jpg',
  'unk-car.jpg': 'automobile/0000.jpg',
  'unk-frog.jpg': 'frog/0000.jpg',
}

/**
 * Verdicts by file name, with no model run: "unk-" unknown (closest class "truck", 70 %), "unsure-"
 * known at 30 %, the rest known at 90 % as the class their name starts with.
 */
const classify: ModelClassifyFn = async function* (_model, paths) {
  for await (const path of eachPath(paths)) {
    const name = basename(path)
    const unknown = name.startsWith('unk-')
    const label = unknown ? 'truck' : name.startsWith('unsure-') ? 'dog' : name.split('-')[0]!
    const p = unknown ? 0.7 : name.startsWith('unsure-') ? 0.3 : 0.9
    yield {
      path,
      top: [
        { index: 0, label, p },
        { index: 1, label: 'bird', p: (1 - p) / 2 },
      ],
      verdict: { unknown, ood: unknown ? 11 : 1, source: 'profile' },
    }
  }
}

describe('Unknown photos in the Jobs organize preview and the Library', () => {
  let app: AppSession
  let root: string
  let folder: string
  let out: string
  let jobs: { close(): Promise<void> } | undefined

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'resnet-lens-unknown-'))
    folder = join(root, 'dump')
    out = join(root, 'sorted')
    mkdirSync(folder)
    mkdirSync(out)
    for (const [file, from] of Object.entries(PHOTOS)) copyFileSync(join(cifarHalfDir(), from), join(folder, file))
    app = await openApp({
      handlers: jobsHandlersOn(
        () => classify,
        (service) => (jobs = service),
      ),
    })
  })
  afterAll(async () => {
    await jobs?.close()
    await app?.close()
    rmSync(root, { recursive: true, force: true })
  })

  it('the organize preview counts the unknown photos in _unknown/, apart from _uncertain/', async () => {
    const { page } = app
    await page.keyboard.press('Control+6')
    await page.getByTestId('jobs-screen').waitFor()
    app.services.dialogAnswers.folder.push(folder)
    await page.getByTestId('jobs-new').first().click()
    const card = page.getByTestId('job-card')
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 30_000 }).toBe('done')

    await card.getByTestId('job-organize').click()
    const dialog = page.getByTestId('organize-dialog')
    await dialog.waitFor()
    app.services.dialogAnswers.folder.push(out)
    await dialog.getByTestId('organize-pick-out').click()
    await expect.poll(() => dialog.getByTestId('organize-out').textContent()).toBe(out)
    await dialog.getByTestId('organize-preview').click()
    await dialog.getByTestId('organize-plan').waitFor()
    const groups = await dialog
      .getByTestId('plan-group')
      .evaluateAll((nodes) =>
        nodes.map((n) => [n.getAttribute('data-folder'), n.getAttribute('data-kind'), n.getAttribute('data-count')]),
      )
    expect(groups).toEqual([
      ['_unknown', 'unknown', '2'],
      ['cat', 'class', '2'],
      ['_uncertain', 'uncertain', '1'],
      ['ship', 'class', '1'],
    ])
    const note = dialog.getByTestId('plan-unknown')
    expect(await note.getAttribute('data-count')).toBe('2')
    expect(await note.textContent()).toMatch(/^_unknown\/ — not one of the model’s classes: 2 photos\./)

    await dialog.getByTestId('organize-execute').click()
    await expect
      .poll(() => dialog.getByTestId('organize-running').getAttribute('data-state'), { timeout: 30_000 })
      .toBe('done')
    expect(filesUnder(out)).toEqual([
      '_uncertain/unsure-dog.jpg',
      '_unknown/unk-car.jpg',
      '_unknown/unk-frog.jpg',
      'cat/cat-0000.jpg',
      'cat/cat-0002.jpg',
      'ship/ship-0000.jpg',
    ])
    for (const file of filesUnder(out)) expect(sha256Of(join(out, file))).toBe(sha256Of(join(folder, basename(file))))
    await dialog.getByTestId('organize-close').click()
    await dialog.waitFor({ state: 'detached' })

    // Undo puts the output folder back as it was (empty).
    const run = card.getByTestId('organize-run')
    await expect.poll(() => run.getAttribute('data-state')).toBe('done')
    await run.getByTestId('run-undo').click()
    await page.getByTestId('run-action-confirm').click()
    await expect.poll(() => run.getAttribute('data-state'), { timeout: 30_000 }).toBe('undone')
    expect(readdirSync(out)).toEqual([])
  })

  it('the grid marks unknown photos with their closest class (never a tag), and filters them', async () => {
    const { page } = app
    await page.keyboard.press('Control+4')
    await page.getByTestId('library-screen').waitFor()
    const tile = (file: string) => page.locator(`[data-testid="library-tile"][data-file-name="${file}"]`)
    await tile('unk-car.jpg').waitFor()
    await expect.poll(() => page.getByTestId('library-tile').count()).toBe(Object.keys(PHOTOS).length)

    for (const file of ['unk-car.jpg', 'unk-frog.jpg']) {
      expect(await tile(file).getAttribute('data-unknown')).toBe('true')
      expect(await tile(file).getByTestId('tile-unknown').textContent()).toBe('Unknown')
      expect(await tile(file).getByTestId('tile-closest').textContent()).toBe('closest: truck')
      expect(await tile(file).getByTestId('tile-tag').count()).toBe(0)
      expect(await tile(file).getAttribute('aria-label')).toBe(`${file}, unknown to the model (closest: truck)`)
    }
    expect(await tile('cat-0000.jpg').getAttribute('data-unknown')).toBe('false')
    expect(await tile('cat-0000.jpg').getByTestId('tile-unknown').count()).toBe(0)
    expect(await tile('cat-0000.jpg').getByTestId('tile-tag').getAttribute('data-tag')).toBe('cat')
    const counts = page.getByTestId('library-counts')
    await expect.poll(() => counts.getAttribute('data-unknown')).toBe('2')
    expect(await counts.textContent()).toMatch(/· 2 unknown to the model$/)

    // The filter, with the keyboard.
    const filter = page.getByTestId('filter-unknown')
    expect(await filter.getAttribute('aria-pressed')).toBe('false')
    await filter.focus()
    await page.keyboard.press('Enter')
    expect(await filter.getAttribute('aria-pressed')).toBe('true')
    await expect
      .poll(async () =>
        (await page.getByTestId('library-tile').evaluateAll((n) => n.map((t) => t.getAttribute('data-file-name'))))
          .filter((f): f is string => f !== null)
          .sort(),
      )
      .toEqual(['unk-car.jpg', 'unk-frog.jpg'])

    // The panel says it plainly.
    await tile('unk-car.jpg').click()
    const unknownNote = page.getByTestId('panel-unknown')
    await unknownNote.waitFor()
    expect(await unknownNote.textContent()).toMatch(/^Unknown to this model: not one of its classes/)

    await page.keyboard.press('Escape')
    await filter.focus()
    await page.keyboard.press('Space')
    expect(await filter.getAttribute('aria-pressed')).toBe('false')
    await expect.poll(() => page.getByTestId('library-tile').count()).toBe(Object.keys(PHOTOS).length)
    // Nothing unknown is waiting in the review queue.
    const review = app.services.db
      .prepare(
        `SELECT p.path FROM photo_tags pt JOIN photos p ON p.id = pt.photo_id WHERE pt.status = 'suggested' ORDER BY p.path`,
      )
      .pluck()
      .all() as string[]
    expect(review.map((p) => basename(p))).toEqual(['cat-0000.jpg', 'cat-0002.jpg', 'ship-0000.jpg'])
    expect(app.consoleErrors).toEqual([])
  })
})
