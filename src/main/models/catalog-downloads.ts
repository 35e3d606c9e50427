import { existsSync, statSync } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { CatalogEntryStatus, EmitEvent } from '../../shared/ipc/contract'
import { catalogPreprocessing, type Catalog, type CatalogEntry } from './catalog'
import { downloadVerified, type DownloadOptions } from './download/download'
import { importModel, type ImportDeps } from './import-model'

export interface CatalogDownloadsDeps {
  catalog: Catalog
  /** Where downloads land (and partial downloads wait to be resumed). */
  downloadsDir: string
  importDeps: ImportDeps
  emit: EmitEvent
  /** Only tests replace this (to point the catalog's URLs at a loopback server). */
  resolveUrl?: (entry: CatalogEntry) => string
  download?: (options: DownloadOptions) => Promise<unknown>
}

/**
 * The catalog view's downloads: one at a time per entry, with progress events, cancel and resume;
 * a verified file is imported into the library like any other model, and a failed or tampered one
 * never is.
 */
export class CatalogDownloads {
  private readonly running = new Map<string, AbortController>()

  constructor(private readonly deps: CatalogDownloadsDeps) {}

  private entry(id: string): CatalogEntry {
    const entry = this.deps.catalog.models.find((m) => m.id === id)
    if (!entry) throw new Error(`No catalog entry "${id}".`)
    return entry
  }

  private target(entry: CatalogEntry): string {
    return join(this.deps.downloadsDir, entry.file)
  }

  list(): CatalogEntryStatus[] {
    return this.deps.catalog.models.map((entry) => {
      const installedModelId = this.deps.importDeps.library.findBySha256(entry.sha256)
      const part = `${this.target(entry)}.part`
      const partialBytes = existsSync(part) ? statSync(part).size : 0
      const state = installedModelId
        ? 'installed'
        : this.running.has(entry.id)
          ? 'downloading'
          : partialBytes > 0
            ? 'partial'
            : 'available'
      return {
        id: entry.id,
        name: entry.name,
        file: entry.file,
        bytes: entry.bytes,
        sha256: entry.sha256,
        top1: entry.imagenet_top1,
        top5: entry.imagenet_top5,
        state,
        partialBytes,
        ...(installedModelId !== undefined && { installedModelId }),
      }
    })
  }

  /** Starts (or resumes) a download; false when it is already running or installed. */
  start(id: string): boolean {
    const entry = this.entry(id)
    if (this.running.has(id) || this.deps.importDeps.library.findBySha256(entry.sha256)) return false
    const controller = new AbortController()
    this.running.set(id, controller)
    void this.run(entry, controller.signal).finally(() => this.running.delete(id))
    return true
  }

  cancel(id: string): boolean {
    const controller = this.running.get(id)
    controller?.abort()
    return controller !== undefined
  }

  cancelAll(): void {
    for (const controller of this.running.values()) controller.abort()
  }

  /** Resolves when no download is running (for tests and for quitting cleanly). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await new Promise((resolve) => setTimeout(resolve, 20))
  }

  private async run(entry: CatalogEntry, signal: AbortSignal): Promise<void> {
    const { emit } = this.deps
    const total = entry.bytes
    const destination = this.target(entry)
    try {
      await mkdir(this.deps.downloadsDir, { recursive: true })
      const download = this.deps.download ?? downloadVerified
      await download({
        url: this.deps.resolveUrl?.(entry) ?? entry.url,
        destination,
        expectedBytes: entry.bytes,
        expectedSha256: entry.sha256,
        signal,
        onProgress: ({ received, bytesPerSecond }) =>
          emit('catalog:progress', { id: entry.id, state: 'downloading', received, total, bytesPerSecond }),
      })
      emit('catalog:progress', { id: entry.id, state: 'verifying', received: total, total, bytesPerSecond: 0 })
      const { grants } = this.deps.importDeps
      const picked = grants.grant(destination)
      try {
        const { model } = await importModel(
          this.deps.importDeps,
          {
            token: picked.token,
            name: entry.name,
            labels: { kind: 'builtin', id: entry.labels },
            preprocessing: catalogPreprocessing(entry),
          },
          {
            origin: 'catalog',
            source: `ONNX Model Zoo: ${entry.url}`,
            metrics: { imagenet_top1: entry.imagenet_top1, imagenet_top5: entry.imagenet_top5 },
            moveSource: true,
          },
        )
        emit('catalog:progress', {
          id: entry.id,
          state: 'done',
          received: total,
          total,
          bytesPerSecond: 0,
          modelId: model.id,
        })
      } finally {
        grants.revoke(picked.token)
        await rm(destination, { force: true })
      }
    } catch (error) {
      const cancelled = signal.aborted
      emit('catalog:progress', {
        id: entry.id,
        state: cancelled ? 'cancelled' : 'failed',
        received: existsSync(`${destination}.part`) ? statSync(`${destination}.part`).size : 0,
        total,
        bytesPerSecond: 0,
        ...(!cancelled && { error: error instanceof Error ? error.message : String(error) }),
      })
    }
  }
}
