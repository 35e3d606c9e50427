import { open, rename, writeFile } from 'node:fs/promises'

/** Flushes a file's data to the disk. */
export async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Writes a file so that a reader sees the old content or the new one, never half of it. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`
  await writeFile(temp, data)
  await fsyncFile(temp)
  await rename(temp, path)
}
