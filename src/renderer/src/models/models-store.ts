import { create } from 'zustand'
import type { CatalogEntryStatus, DownloadProgress, ImportPreview, PickedFile } from '../../../shared/ipc/contract'
import type { BenchmarkProgressReply, BenchmarkResult } from '../engine/messages'
import type { Loadable } from '../lib/loadable'

export type BenchmarkState =
  | { status: 'running'; progress?: Omit<BenchmarkProgressReply, 'type' | 'id'>; cancelling: boolean }
  | { status: 'done' | 'cancelled'; results: BenchmarkResult[] }
  | { status: 'error'; message: string }

/** The import dialog: reading the picked file, showing what it holds, or why it cannot be imported. */
export type ImportState =
  | { step: 'reading'; file: PickedFile }
  | { step: 'preview'; file: PickedFile; preview: ImportPreview; submitting: boolean; error?: string }
  | { step: 'failed'; file?: PickedFile; message: string }

export type CardBusy = 'activating' | 'renaming' | 'deleting'

/** The Models screen's state (the library's models themselves are the session's). */
interface ModelsState {
  catalog: Loadable<CatalogEntryStatus[]>
  /** The latest progress event of each download seen since the catalog was last read. */
  downloads: Record<string, DownloadProgress>
  /** A download that could not be started, by catalog id. */
  downloadErrors: Record<string, string>
  busy: Record<string, CardBusy>
  /** The last failed action on a card (set active, rename, delete), shown on that card. */
  cardError: { modelId: string; message: string } | null
  /** The card whose name is being edited. */
  renaming: string | null
  /** The card whose deletion waits for confirmation. */
  confirmingDelete: string | null
  /** True while the system's file dialog is open. */
  picking: boolean
  importing: ImportState | null
  benchmarks: Record<string, BenchmarkState>
  /** Asks the card to scroll into view and take focus (after an import or "Show in library"). */
  focusRequest: { modelId: string; n: number } | null

  setCatalog(catalog: Loadable<CatalogEntryStatus[]>): void
  setDownload(id: string, progress: DownloadProgress | undefined): void
  setDownloadError(id: string, message: string | undefined): void
  setBusy(modelId: string, busy: CardBusy | undefined): void
  setCardError(error: { modelId: string; message: string } | null): void
  setRenaming(modelId: string | null): void
  setConfirmingDelete(modelId: string | null): void
  setPicking(picking: boolean): void
  setImporting(importing: ImportState | null): void
  setBenchmark(modelId: string, benchmark: BenchmarkState): void
  requestFocus(modelId: string): void
}

let focusRequests = 1

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  if (!(key in record)) return record
  return Object.fromEntries(Object.entries(record).filter(([k]) => k !== key))
}

export const useModelsStore = create<ModelsState>()((set) => ({
  catalog: { status: 'loading' },
  downloads: {},
  downloadErrors: {},
  busy: {},
  cardError: null,
  renaming: null,
  confirmingDelete: null,
  picking: false,
  importing: null,
  benchmarks: {},
  focusRequest: null,

  setCatalog: (catalog) => set({ catalog }),
  setDownload: (id, progress) =>
    set((s) => ({ downloads: progress ? { ...s.downloads, [id]: progress } : without(s.downloads, id) })),
  setDownloadError: (id, message) =>
    set((s) => ({
      downloadErrors: message !== undefined ? { ...s.downloadErrors, [id]: message } : without(s.downloadErrors, id),
    })),
  setBusy: (modelId, busy) => set((s) => ({ busy: busy ? { ...s.busy, [modelId]: busy } : without(s.busy, modelId) })),
  setCardError: (cardError) => set({ cardError }),
  setRenaming: (renaming) => set({ renaming }),
  setConfirmingDelete: (confirmingDelete) => set({ confirmingDelete }),
  setPicking: (picking) => set({ picking }),
  setImporting: (importing) => set({ importing }),
  setBenchmark: (modelId, benchmark) => set((s) => ({ benchmarks: { ...s.benchmarks, [modelId]: benchmark } })),
  requestFocus: (modelId) => set({ focusRequest: { modelId, n: focusRequests++ } }),
}))
