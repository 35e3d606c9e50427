/**
 * npm run screenshot: the README's picture of the Classify screen, taken from the built renderer in
 * headless Chromium (run `npm run build` first). Writes docs/screenshot-classify.png.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { openApp } from '../tests/support/app-session'
import { waitForCards, waitForProvider } from '../tests/support/cards'
import { dropFiles, fileFromDisk } from '../tests/support/drop'
import { cifarHalfDir, repoRoot, sharedPath } from '../tests/support/shared'

const output = join(repoRoot, 'docs', 'screenshot-classify.png')
const app = await openApp()
try {
  const { page } = app
  await page.setViewportSize({ width: 1280, height: 800 })
  await waitForProvider(page, /^WASM/)
  const files = [
    fileFromDisk(sharedPath('photos', 'chelsea.png')),
    fileFromDisk(sharedPath('photos', 'coffee.png')),
    fileFromDisk(sharedPath('photos', 'rocket.jpg')),
    fileFromDisk(join(cifarHalfDir(), 'airplane', '0000.jpg'), 'airplane-0000.jpg'),
    fileFromDisk(join(cifarHalfDir(), 'horse', '0010.jpg'), 'horse-0010.jpg'),
    fileFromDisk(join(cifarHalfDir(), 'frog', '0004.jpg'), 'frog-0004.jpg'),
    fileFromDisk(join(cifarHalfDir(), 'truck', '0002.jpg'), 'truck-0002.jpg'),
    { name: 'notes.jpg', type: 'image/jpeg', bytes: new TextEncoder().encode('not really a photo') },
  ]
  await dropFiles(page, '[data-testid="drop-zone"]', files)
  await waitForCards(page, files.length)
  await page.mouse.move(0, 0)
  mkdirSync(join(repoRoot, 'docs'), { recursive: true })
  await page.screenshot({ path: output })
  console.log(`wrote ${output}`)
} finally {
  await app.close()
}
