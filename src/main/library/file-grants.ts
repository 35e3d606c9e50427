import { randomUUID } from 'node:crypto'
import { statSync } from 'node:fs'
import { basename } from 'node:path'
import type { PickedFile } from '../../shared/ipc/contract'

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
