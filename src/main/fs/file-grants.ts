import { randomUUID } from 'node:crypto'
import { statSync } from 'node:fs'
import { basename } from 'node:path'
import type { PickedFile, PickedFolder } from '../../shared/ipc/contract'

/**
 * Files the person chose (in a dialog, or by dropping them), kept behind random tokens: the renderer
 * only ever names a token, so a compromised page cannot make the main process read a path of its
 * choosing.
 */
export class FileGrants {
  private readonly paths = new Map<string, string>()

  grant(path: string): PickedFile {
    const info = statSync(path)
    if (!info.isFile()) throw new Error(`${basename(path)} is not a file.`)
    const token = randomUUID()
    this.paths.set(token, path)
    return { token, name: basename(path), bytes: info.size }
  }

  path(token: string): string {
    const path = this.paths.get(token)
    if (path === undefined) throw new Error('That file is no longer available: choose it again.')
    return path
  }

  revoke(token: string): void {
    this.paths.delete(token)
  }
}

/**
 * Folders the person chose in a dialog, kept behind random tokens like files, each for one purpose:
 * a token for a job's folder cannot name an organize output, nor the other way round.
 */
export class FolderGrants<Purpose extends string = string> {
  private readonly folders = new Map<string, { path: string; purpose: Purpose }>()

  grant(path: string, purpose: Purpose): PickedFolder {
    if (!statSync(path).isDirectory()) throw new Error(`${basename(path) || path} is not a folder.`)
    const token = randomUUID()
    this.folders.set(token, { path, purpose })
    return { token, name: basename(path) || path, path }
  }

  path(token: string, purpose: Purpose): string {
    const grant = this.folders.get(token)
    if (grant === undefined || grant.purpose !== purpose) {
      throw new Error('That folder is no longer available: choose it again.')
    }
    return grant.path
  }

  revoke(token: string): void {
    this.folders.delete(token)
  }
}
