import { create } from 'zustand'
import { formatMegabytes } from '../lib/format'
import { modelsOf, useSessionStore } from '../session/session-store'
import { ghostButton, primaryButton, secondaryButton } from '../ui/buttons'
import { DownloadProgressBar } from '../ui/DownloadProgressBar'
import { AlertIcon, CloseIcon, DownloadIcon } from '../ui/Icons'
import { Spinner } from '../ui/Spinner'
import { cancelDownload, downloadEntry } from './catalog-actions'
import { setActiveModel } from './models-actions'
import { useModelsStore } from './models-store'

/** The catalog's ImageNet ResNet-50 (the paper's v1, 1,000 classes): what the first start offers for one's own photos. */
export const FIRST_START_CATALOG_ID = 'resnet50-v1-7'
const DISMISSED_KEY = 'resnet-lens.firstStartDismissed'

function readDismissed(): boolean {
  try {
    return localStorage.getItem(DISMISSED_KEY) === 'true'
  } catch {
    return false
  }
}

interface FirstStartState {
  dismissed: boolean
  /** The download was started here: once it is in the library, this offers to make it active. */
  offered: boolean
  dismiss(): void
  setOffered(offered: boolean): void
}

export const useFirstStartStore = create<FirstStartState>((set) => ({
  dismissed: readDismissed(),
  offered: false,
  dismiss: () => {
    try {
      localStorage.setItem(DISMISSED_KEY, 'true')
    } catch {
      // Private mode: dismissed until the window reloads.
    }
    set({ dismissed: true })
  },
  setOffered: (offered) => set({ offered }),
}))

/**
 * The first start's note on the Classify screen: the bundled model knows CIFAR-10's ten classes at 32×32 (the
 * ResNet paper's CIFAR experiment), so for one's own photos it offers the catalog's ImageNet ResNet-50 in one
 * click, with the download's progress, and then to make it the active model. Shown until another model is in
 * the library (or the one downloaded here is active) or the person dismisses it.
 */
export function FirstStart() {
  const models = useSessionStore(modelsOf)
  const catalog = useModelsStore((s) => s.catalog)
  const live = useModelsStore((s) => s.downloads[FIRST_START_CATALOG_ID])
  const startError = useModelsStore((s) => s.downloadErrors[FIRST_START_CATALOG_ID])
  const { dismissed, offered, dismiss, setOffered } = useFirstStartStore()

  const entry = catalog.status === 'ready' ? catalog.data.find((e) => e.id === FIRST_START_CATALOG_ID) : undefined
  const installed = entry?.installedModelId ? models.find((m) => m.id === entry.installedModelId) : undefined
  const bundled = models.find((m) => m.builtin)
  const onlyBundled = models.length > 0 && models.every((m) => m.builtin)
  const offerActive = offered && installed !== undefined && !installed.active
  if (dismissed || models.length === 0 || !(onlyBundled || offerActive)) return null

  const downloading = live?.state === 'downloading' || live?.state === 'verifying'
  const failed = live?.state === 'failed'
  const error = failed ? live.error : startError
  const classes = bundled?.classes ?? 10
  const [width, height] = bundled?.inputSize ?? [32, 32]

  let action
  if (installed) {
    action = (
      <button
        type="button"
        data-testid="first-start-activate"
        onClick={() => setActiveModel(installed.id)}
        className={primaryButton}
      >
        Make {installed.name} the active model
      </button>
    )
  } else if (downloading) {
    action = (
      <button
        type="button"
        data-testid="first-start-cancel"
        onClick={() => void cancelDownload(FIRST_START_CATALOG_ID)}
        title="Stop the download; what arrived is kept and it can be resumed"
        className={secondaryButton}
      >
        Cancel download
      </button>
    )
  } else if (entry) {
    const resume = entry.partialBytes > 0
    action = (
      <button
        type="button"
        data-testid="first-start-download"
        onClick={() => {
          setOffered(true)
          void downloadEntry(FIRST_START_CATALOG_ID)
        }}
        className={primaryButton}
      >
        <DownloadIcon className="h-3.5 w-3.5" />
        {resume ? 'Resume' : failed ? 'Retry' : 'Download'} ResNet-50 ({formatMegabytes(entry.bytes)})
      </button>
    )
  }

  const total = live?.total || entry?.bytes || 0
  const received = live?.state === 'verifying' ? total : (live?.received ?? 0)
  const rate = live?.bytesPerSecond ?? 0

  return (
    <section
      data-testid="first-start"
      aria-labelledby="first-start-heading"
      className="relative w-full max-w-xl rounded-2xl border border-indigo-200 bg-indigo-50/60 px-5 py-4 text-left dark:border-indigo-500/30 dark:bg-indigo-500/10"
    >
      <button
        type="button"
        data-testid="first-start-dismiss"
        onClick={dismiss}
        aria-label="Dismiss: don't show this again"
        title="Don't show this again"
        className={`${ghostButton} absolute top-2 right-2 px-1.5 py-1`}
      >
        <CloseIcon className="h-3.5 w-3.5" />
      </button>
      <h2 id="first-start-heading" className="pr-8 text-[14px] font-semibold text-zinc-900 dark:text-zinc-50">
        {installed
          ? `${installed.name} is in the library`
          : `The bundled model knows ${classes} CIFAR-10 classes, at ${width}×${height} pixels`}
      </h2>
      <p className="mt-1 text-[12.5px] leading-relaxed text-zinc-600 dark:text-zinc-300">
        {installed ? (
          <>
            It knows 1,000 ImageNet classes. Make it the active model to classify your own photos with it; the bundled
            model stays in the library.
          </>
        ) : (
          <>
            {bundled?.name ?? 'ResNet-56'} comes from the ResNet paper&rsquo;s CIFAR experiment: it tells airplanes,
            cars, birds, cats, deer, dogs, frogs, horses, ships and trucks apart, seen as tiny {width}×{height}{' '}
            thumbnails. For your own photos, ResNet-50 trained on ImageNet knows 1,000 classes at 224×224 (one download
            from the ONNX Model Zoo, checked against its sha256).
          </>
        )}
      </p>
      {downloading && (
        <div className="mt-3">
          <DownloadProgressBar
            label="Downloading ResNet-50"
            received={received}
            total={total}
            bytesPerSecond={rate}
            verifying={live?.state === 'verifying'}
            testId="first-start-progress"
            trackClassName="bg-indigo-100 dark:bg-zinc-800"
          />
        </div>
      )}
      {error && (
        <p
          role="alert"
          data-testid="first-start-error"
          className="mt-2 flex items-start gap-1.5 text-[12px] leading-snug text-rose-700 dark:text-rose-300"
        >
          <AlertIcon className="mt-px h-4 w-4 shrink-0 text-rose-500" />
          <span className="min-w-0 break-words">The download failed: {error}</span>
        </p>
      )}
      <div className="mt-3 flex flex-wrap items-center gap-2">
        {action ??
          (catalog.status === 'loading' ? (
            <span className="inline-flex items-center gap-1.5 text-[12px] text-zinc-500">
              <Spinner className="h-3.5 w-3.5" /> Reading the catalog…
            </span>
          ) : null)}
        <button type="button" onClick={dismiss} className={ghostButton}>
          {installed ? 'Not now' : 'Keep the CIFAR-10 model'}
        </button>
      </div>
    </section>
  )
}
