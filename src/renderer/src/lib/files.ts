import { BROWSER_IMAGE_EXTENSIONS } from '../../../shared/image-files'

export function looksLikeImage(file: File): boolean {
  if (file.type.startsWith('image/')) return true
  const dot = file.name.lastIndexOf('.')
  return dot >= 0 && BROWSER_IMAGE_EXTENSIONS.has(file.name.slice(dot).toLowerCase())
}

export interface PickedFile {
  file: File
  /** Where it came from: "holiday/beach/IMG_1.jpg" for a file in a dropped folder, else its name. */
  path: string
}

export interface CollectedFiles {
  files: PickedFile[]
  /** Files inside dropped folders that are not images (skipped, with their paths). */
  skipped: string[]
  /** Folders or files that could not be read. */
  unreadable: string[]
}

function readAllEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  // readEntries returns at most ~100 entries per call: read until it returns none.
  return new Promise((resolve, reject) => {
    const all: FileSystemEntry[] = []
    const next = (): void =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(all)
        else {
          all.push(...batch)
          next()
        }
      }, reject)
    next()
  })
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject))
}

function isDirectory(entry: FileSystemEntry): entry is FileSystemDirectoryEntry {
  return entry.isDirectory
}

function isFile(entry: FileSystemEntry): entry is FileSystemFileEntry {
  return entry.isFile
}

async function walk(entry: FileSystemEntry, out: CollectedFiles, topLevel: boolean): Promise<void> {
  const path = entry.fullPath.replace(/^\//, '')
  if (isFile(entry)) {
    try {
      const file = await fileOf(entry)
      // A file dropped by itself is always tried (and says why if it fails); in folders, only images.
      if (topLevel || looksLikeImage(file)) out.files.push({ file, path })
      else out.skipped.push(path)
    } catch {
      out.unreadable.push(path)
    }
    return
  }
  if (isDirectory(entry)) {
    let children: FileSystemEntry[]
    try {
      children = await readAllEntries(entry.createReader())
    } catch {
      out.unreadable.push(path)
      return
    }
    children.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }))
    for (const child of children) {
      if (child.name.startsWith('.')) continue
      await walk(child, out, false)
    }
  }
}

/**
 * The files of a drop, walking dropped folders recursively. Must be called during the drop event:
 * the browser forgets the items once the event's handlers return, so the entries are taken first.
 */
export function collectDroppedFiles(transfer: DataTransfer): Promise<CollectedFiles> {
  const entries: FileSystemEntry[] = []
  const loose: File[] = []
  const items = Array.from(transfer.items ?? [])
  for (const item of items) {
    if (item.kind !== 'file') continue
    const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null
    if (entry) entries.push(entry)
    else {
      const file = item.getAsFile()
      if (file) loose.push(file)
    }
  }
  if (items.length === 0) loose.push(...Array.from(transfer.files ?? []))

  return (async () => {
    const out: CollectedFiles = { files: loose.map((file) => ({ file, path: file.name })), skipped: [], unreadable: [] }
    for (const entry of entries) await walk(entry, out, true)
    return out
  })()
}

/** The files chosen in an <input type="file">. */
export function collectInputFiles(list: FileList | null): CollectedFiles {
  const files = Array.from(list ?? []).map((file) => ({ file, path: file.webkitRelativePath || file.name }))
  return { files, skipped: [], unreadable: [] }
}

/** True when a drag carries files (not text or a link dragged from the page). */
export function dragHasFiles(transfer: DataTransfer | null): boolean {
  return !!transfer && Array.from(transfer.types ?? []).includes('Files')
}
