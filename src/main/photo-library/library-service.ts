import { basename, extname } from 'node:path'
import type { Db } from '../db/database'
import type {
  EmitEvent,
  IngestReportResult,
  PhotoFilterInput,
  PhotoItem,
  ReviewItemResult,
} from '../../shared/ipc/contract'
import { photoUrlPath } from '../../shared/ipc/routes'
import { exportToFile, type ExportFormat, type ExportRow } from '../photos/export'
import { thumbnail } from '../photos/thumbnails'
import { readSidecarKeywords, writeSidecarKeywords } from '../photos/xmp'
import { addPaths } from './ingest'
import { getPhoto } from './photos'
import { photoClassifications, photoLevels, photoPredictions } from '../tags/predictions'
import { countPhotos, listPhotos, reviewQueue, type ReviewCursor } from './queries'
import { stmt } from '../db/sql'
import { addTag, photoTags } from '../tags/tags'
import type { Photo } from './types'

const MIME_BY_EXTENSION: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.bmp': 'image/bmp',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.avif': 'image/avif',
}

export interface PhotoLibraryDeps {
  db: Db
  thumbsDir: string
  emit: EmitEvent
}

/**
 * The photo library as the IPC handlers and the app protocol see it: ingest with progress events,
 * pages of photos with their tags, the files behind thumbnails and photos (only photos the library
 * knows), classification results, sidecars and exports.
 */
export class PhotoLibraryService {
  constructor(private readonly deps: PhotoLibraryDeps) {}

  private item(photo: Photo): PhotoItem {
    return {
      id: photo.id,
      name: basename(photo.path),
      path: photo.path,
      width: photo.width,
      height: photo.height,
      status: photo.status,
      takenAt: photo.takenAt,
      thumbUrl: photoUrlPath(photo.id, 'thumb'),
      photoUrl: photoUrlPath(photo.id, 'original'),
      tags: photoTags(this.deps.db, photo.id).map(({ tagId, name, source, status, score, modelId }) => ({
        tagId,
        name,
        source,
        status,
        score,
        modelId,
      })),
      verdicts: this.verdicts(photo.id),
    }
  }

  /** Each model's verdict on the photo, with its top-1 (for an unknown photo: the closest class). */
  private verdicts(photoId: number): PhotoItem['verdicts'] {
    const rows = stmt(
      this.deps.db,
      `SELECT c.model_id AS modelId, c.unknown, c.ood, c.ood_source AS source, pr.label, pr.probability AS p
       FROM classifications c
         LEFT JOIN predictions pr ON pr.photo_id = c.photo_id AND pr.model_id = c.model_id AND pr.rank = 1
       WHERE c.photo_id = ? AND c.k > 0 ORDER BY c.model_id`,
    ).all(photoId) as {
      modelId: string
      unknown: number
      ood: number | null
      source: 'profile' | 'energy' | null
      label: string | null
      p: number | null
    }[]
    return rows.map((r) => ({
      modelId: r.modelId,
      unknown: r.unknown === 1,
      ood: r.ood,
      source: r.source,
      closest: r.label !== null && r.p !== null ? { label: r.label, p: r.p } : null,
    }))
  }

  async add(paths: readonly string[]): Promise<IngestReportResult> {
    const { emit, db } = this.deps
    const lastKnownId = (db.prepare('SELECT max(id) FROM photos').pluck().get() as number | null) ?? 0
    const report = await addPaths(paths, {
      db,
      onProgress: ({ found, done }) => emit('library:progress', { phase: 'scanning', found, done }),
    })
    await this.importSidecarKeywords(
      report.photoIds.filter((id) => id > lastKnownId),
      report.skipped,
    )
    emit('library:progress', { phase: 'done', found: report.photoIds.length, done: report.photoIds.length })
    emit('library:changed', { reason: 'added' })
    return report
  }

  /**
   * Keywords that other tools (digiKam, darktable, Lightroom) or this app wrote into a new photo's
   * XMP sidecar become the person's accepted tags. A sidecar that cannot be read is reported, not fatal.
   */
  private async importSidecarKeywords(photoIds: readonly number[], problems: { path: string; reason: string }[]) {
    for (const id of photoIds) {
      const photo = getPhoto(this.deps.db, id)
      if (!photo) continue
      try {
        const sidecar = await readSidecarKeywords(photo.path)
        for (const keyword of sidecar?.keywords ?? []) addTag(this.deps.db, [id], keyword)
      } catch (error) {
        problems.push({ path: `${photo.path}.xmp`, reason: error instanceof Error ? error.message : String(error) })
      }
    }
  }

  /** The grid's items for these photos, in the order asked; photos the library no longer has are left out. */
  items(photoIds: readonly number[]): PhotoItem[] {
    return photoIds.flatMap((id) => {
      const photo = getPhoto(this.deps.db, id)
      return photo ? [this.item(photo)] : []
    })
  }

  page(filter: PhotoFilterInput, after: number | null | undefined, limit: number | undefined) {
    const { photos, nextAfter } = listPhotos(this.deps.db, filter, { after: after ?? null, limit: limit ?? 200 })
    return { photos: photos.map((p) => this.item(p)), nextAfter, total: countPhotos(this.deps.db, filter) }
  }

  photo(id: number) {
    const photo = getPhoto(this.deps.db, id)
    if (!photo) throw new Error(`No photo ${id} in the library.`)
    const predictions = photoClassifications(this.deps.db, id)
      .filter((c) => c.error === null)
      .map((c) => ({
        modelId: c.modelId,
        top: photoPredictions(this.deps.db, id, c.modelId).map((p) => ({
          rank: p.rank,
          index: p.classIndex,
          label: p.label,
          p: p.probability,
        })),
        verdict: c.verdict,
        levels: photoLevels(this.deps.db, id, c.modelId),
      }))
    return { photo: this.item(photo), predictions }
  }

  review(options: { tagId?: number; after?: ReviewCursor | null; limit?: number }) {
    const page = reviewQueue(this.deps.db, options)
    const items: ReviewItemResult[] = page.items.map((item) => ({
      photoId: item.photoId,
      name: basename(item.path),
      path: item.path,
      width: item.width,
      height: item.height,
      tagId: item.tagId,
      tag: item.name,
      score: item.score,
      modelId: item.modelId,
      thumbUrl: photoUrlPath(item.photoId, 'thumb'),
      photoUrl: photoUrlPath(item.photoId, 'original'),
    }))
    return { items, next: page.next }
  }

  /** The file behind a photo URL: only photos the library knows, thumbnails made on first use. */
  async file(id: number, kind: 'thumb' | 'original', size = 256): Promise<{ path: string; type: string } | undefined> {
    const photo = getPhoto(this.deps.db, id)
    if (!photo || photo.status !== 'present') return undefined
    if (kind === 'original') {
      return {
        path: photo.path,
        type: MIME_BY_EXTENSION[extname(photo.path).toLowerCase()] ?? 'application/octet-stream',
      }
    }
    return { path: await thumbnail({ cacheDir: this.deps.thumbsDir }, photo, size), type: 'image/jpeg' }
  }

  private acceptedTags(id: number): string[] {
    return photoTags(this.deps.db, id)
      .filter((t) => t.status === 'accepted')
      .map((t) => t.name)
  }

  async writeSidecars(photoIds: readonly number[]) {
    let written = 0
    let unchanged = 0
    const failed: { path: string; reason: string }[] = []
    for (const id of photoIds) {
      const photo = getPhoto(this.deps.db, id)
      if (!photo) continue
      try {
        const result = await writeSidecarKeywords(photo.path, this.acceptedTags(id))
        if (result.written) written++
        else unchanged++
      } catch (error) {
        failed.push({ path: photo.path, reason: error instanceof Error ? error.message : String(error) })
      }
    }
    return { written, unchanged, failed }
  }

  private *exportRows(): Generator<ExportRow> {
    let after: number | null = null
    do {
      const page = listPhotos(this.deps.db, {}, { after, limit: 500 })
      for (const photo of page.photos) {
        const classification = photoClassifications(this.deps.db, photo.id).find((c) => c.error === null)
        yield {
          path: photo.path,
          sha256: photo.sha256,
          width: photo.width,
          height: photo.height,
          takenAt: photo.takenAt,
          model: classification?.modelId ?? null,
          predictions: classification
            ? photoPredictions(this.deps.db, photo.id, classification.modelId).map((p) => ({
                label: p.label,
                index: p.classIndex,
                p: p.probability,
                rank: p.rank,
              }))
            : [],
          tags: photoTags(this.deps.db, photo.id).map((t) => ({
            name: t.name,
            status: t.status,
            source: t.source,
            score: t.score,
          })),
        }
      }
      after = page.nextAfter
    } while (after !== null)
  }

  export(path: string, format: ExportFormat) {
    return exportToFile(path, format, this.exportRows())
  }
}
