import { randomBytes } from 'node:crypto'
import { open, rename, rm, writeFile } from 'node:fs/promises'

/** Flushes a file's data to the disk. */
export async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/**
 * Flushes a folder's entries (a rename or an unlink in it), which makes them durable, where the platform
 * allows it: Windows cannot open or flush a folder, so there this does nothing.
 */
export async function fsyncDir(folder: string): Promise<void> {
  let handle
  try {
    handle = await open(folder, 'r')
    await handle.sync()
  } catch {
    // Best effort: the rename is as durable as the platform makes it.
  } finally {
    await handle?.close()
  }
}

/** A temp name beside `path`, unique per call (so concurrent writes never share one). */
export function tempPathBeside(path: string): string {
  return `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`
}

/**
 * Writes a file so that a reader sees the old content or the new one, never half of it: a temp file
 * beside it, flushed, then renamed over it. On failure the temp file is removed and the old file is
 * left as it was.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = tempPathBeside(path)
  try {
    await writeFile(temp, data, { flag: 'wx' })
    await fsyncFile(temp)
    await rename(temp, path)
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  }
}
