import { readFileSync } from 'node:fs'
import { basename, extname } from 'node:path'
import type { Page } from 'playwright-core'

export interface FileToDrop {
  name: string
  bytes: Uint8Array
  type?: string
}

const MIME: Record<string, string> = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png' }

export function fileFromDisk(path: string, name = basename(path)): FileToDrop {
  return { name, bytes: readFileSync(path), type: MIME[extname(path).toLowerCase()] ?? '' }
}

/**
 * Drops files on an element the way a person's drag from the file manager does: a DataTransfer
 * holding File objects, through dragenter, dragover and drop events.
 */
export async function dropFiles(page: Page, selector: string, files: readonly FileToDrop[]): Promise<void> {
  const payload = files.map((f) => ({ name: f.name, type: f.type ?? '', b64: Buffer.from(f.bytes).toString('base64') }))
  await page.locator(selector).first().waitFor()
  await page.evaluate(
    ({ selector, payload }) => {
      const transfer = new DataTransfer()
      for (const f of payload) {
        const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))
        transfer.items.add(new File([bytes], f.name, { type: f.type }))
      }
      const target = document.querySelector(selector)
      if (!target) throw new Error(`nothing matches ${selector}`)
      for (const type of ['dragenter', 'dragover', 'drop']) {
        target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }))
      }
    },
    { selector, payload },
  )
}
