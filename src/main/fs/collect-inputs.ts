import type { Dirent } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { IMAGE_EXTENSIONS } from '../../shared/image-files'
import { describeFileError } from './file-errors'

/** A file to classify; `error` set when it already failed (e.g. a folder that could not be read). */
export interface FileInput {
  path: string
  error?: string
}

function isImageName(name: string): boolean {
  return IMAGE_EXTENSIONS.has(extname(name).toLowerCase())
}

/**
 * Expands command-line arguments into the files to classify, in order: a file is taken as named
 * (whatever its extension), a folder is searched recursively in sorted order for image files.
 * A missing path or an unreadable folder becomes an input that has already failed.
 */
export async function collectInputs(args: readonly string[]): Promise<FileInput[]> {
  const inputs: FileInput[] = []
  for (const arg of args) {
    let isFolder: boolean
    try {
      isFolder = (await stat(arg)).isDirectory()
    } catch (error) {
      inputs.push({ path: arg, error: describeFileError(error) })
      continue
    }
    if (isFolder) await walkFolder(arg, inputs)
    else inputs.push({ path: arg })
  }
  return inputs
}

async function walkFolder(folder: string, into: FileInput[]): Promise<void> {
  let entries: Dirent[]
  try {
    entries = await readdir(folder, { withFileTypes: true })
  } catch (error) {
    into.push({ path: folder, error: `cannot read folder: ${describeFileError(error)}` })
    return
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue
    const path = join(folder, entry.name)
    // Symbolic links to folders are not followed, so a link cycle cannot loop forever.
    if (entry.isDirectory()) await walkFolder(path, into)
    else if (isImageName(entry.name) && (entry.isFile() || entry.isSymbolicLink())) into.push({ path })
  }
}
