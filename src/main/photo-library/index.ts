/** The photo library: photos found in folders (ingest), their classification runs, lists and the review queue. */
export type { Photo, PhotoFile, PhotoStatus } from './types'
export {
  addPhoto,
  findPhotoByPath,
  findPhotosBySha256,
  getPhoto,
  photoCount,
  removePhotos,
  setPhotoStatus,
  updatePhotoFile,
} from './photos'
export { finishRun, getRun, listRuns, markInterruptedRuns, startRun, type Run, type RunStatus } from './runs'
export {
  countPhotos,
  listPhotos,
  reviewGroups,
  reviewQueue,
  type PageRequest,
  type PhotoFilter,
  type PhotoPage,
  type ReviewCursor,
  type VerdictFilter,
  type ReviewGroup,
  type ReviewItem,
  type ReviewPage,
} from './queries'
export {
  addPaths,
  readPhotoFile,
  refreshLibrary,
  sha256File,
  type IngestDeps,
  type IngestProgress,
  type IngestReport,
  type RefreshReport,
  type SkippedFile,
} from './ingest'
export { exifTakenAt, parseExifDate } from './exif-date'
