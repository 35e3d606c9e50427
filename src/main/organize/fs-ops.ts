import type { Stats } from 'node:fs'
import { constants } from 'node:fs'
import { copyFile, link, lstat, rename, rm, stat, unlink, utimes } from 'node:fs/promises'
import { dirname } from 'node:path'
import { fsyncDir, fsyncFile } from '../fs/durable'
import { sha256File } from '../fs/hash'

export { sha256File }

/** The destination of a move or copy exists: nothing was overwritten. */
export class DestinationTaken extends Error {
  constructor(readonly path: string) {
    super(`${path} already exists`)
  }
}

/** A step that cannot be done as planned (the file changed, or is gone); nothing was changed. */
export class StepError extends Error {}

/** lstat, or undefined when nothing is there. */
export async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
    throw error
  }
}

export async function exists(path: string): Promise<boolean> {
  return (await statOrUndefined(path)) !== undefined
}

/** A file is at `path` and holds the content with this sha256. */
export async function sameContent(path: string, sha256: string): Promise<boolean> {
  const stats = await statOrUndefined(path)
  return stats !== undefined && stats.isFile() && (await sha256File(path)) === sha256
}

/** Two names for one file (a hard link left by a move that stopped half way). */
export function sameInode(a: Stats, b: Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino
}

/** Whether a rename from `path` into `folder` stays on one device. */
export async function sameDevice(path: string, folder: string): Promise<boolean> {
  const [a, b] = await Promise.all([lstat(path), stat(folder)])
  return a.dev === b.dev
}

const LINK_UNSUPPORTED = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK', 'EXDEV'])

/**
 * Gives `from` the name `to` and removes the name `from`, never replacing a file at `to`: a hard link
 * (which fails when `to` exists) then an unlink; where hard links are not supported, a check then a
 * rename. `afterLink` runs between the link and the unlink (both names exist then).
 */
export async function placeNoClobber(from: string, to: string, afterLink?: () => void): Promise<void> {
  try {
    await link(from, to)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? ''
    if (code === 'EEXIST') throw new DestinationTaken(to)
    if (!LINK_UNSUPPORTED.has(code)) throw error
    if (await exists(to)) throw new DestinationTaken(to)
    await rename(from, to)
    return
  }
  afterLink?.()
  await unlink(from)
}

/** Copies a file to a new name (failing if it exists), keeps its times, flushes it to the disk. */
export async function copyDurably(from: string, to: string, times: Stats): Promise<void> {
  await copyFile(from, to, constants.COPYFILE_EXCL)
  await utimes(to, times.atime, times.mtime)
  await fsyncFile(to)
}

/** Removes a file (if it is there) and flushes its folder. */
export async function removeFile(path: string): Promise<void> {
  await rm(path, { force: true })
  await fsyncDir(dirname(path))
}
