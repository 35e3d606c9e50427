import { memo, useState, type KeyboardEvent, type MouseEvent } from 'react'
import { openDetail } from '../detail/detail-actions'
import { formatBytes, formatMs } from '../lib/format'
import { AlertIcon, BrokenImageIcon, RetryIcon } from '../ui/Icons'
import { PredictionBars } from '../ui/PredictionBars'
import { Spinner } from '../ui/Spinner'
import { UnknownVerdict } from '../ui/VerdictNote'
import { retryPhoto } from './classify-actions'
import type { Photo, PhotoResult } from './classify-store'
import { LogitsDetails } from './LogitsDetails'

/** Below this size a thumbnail is drawn with hard pixels (CIFAR's 32 × 32 photos), not blurred. */
const PIXELATED_BELOW = 96

function Thumbnail({ photo }: { photo: Photo }) {
  const [broken, setBroken] = useState(false)
  const [small, setSmall] = useState(false)
  if (broken) {
    return (
      <div className="flex h-full w-full flex-col items-center justify-center gap-1.5 text-zinc-400 dark:text-zinc-600">
        <BrokenImageIcon className="h-8 w-8" />
        <span className="text-[11px]">No preview</span>
      </div>
    )
  }
  return (
    <img
      src={photo.url}
      alt={photo.name}
      draggable={false}
      decoding="async"
      loading="lazy"
      onError={() => setBroken(true)}
      onLoad={(event) => {
        const img = event.currentTarget
        setSmall(Math.max(img.naturalWidth, img.naturalHeight) < PIXELATED_BELOW)
      }}
      className={`h-full w-full object-cover ${small ? '[image-rendering:pixelated]' : ''}`}
    />
  )
}

function CardError({ photo }: { photo: Photo }) {
  return (
    <div
      data-testid="card-error"
      role="alert"
      className="flex items-start gap-2 rounded-lg border border-rose-200 bg-rose-50 px-2.5 py-2 text-[12px] leading-snug text-rose-800 dark:border-rose-900/60 dark:bg-rose-950/40 dark:text-rose-200"
    >
      <AlertIcon className="mt-px h-4 w-4 shrink-0 text-rose-500 dark:text-rose-400" />
      <span className="min-w-0 break-words">{photo.error}</span>
    </div>
  )
}

function PendingBars() {
  return (
    <div className="space-y-2" aria-hidden="true">
      {[72, 46, 34, 24, 16].map((width, i) => (
        <div key={i} className="space-y-1">
          <div className="h-2.5 animate-pulse rounded bg-zinc-100 dark:bg-zinc-800" style={{ width: `${width}%` }} />
          <div className="h-1 rounded-full bg-zinc-100 dark:bg-zinc-800/70" />
        </div>
      ))}
    </div>
  )
}

interface Props {
  photo: Photo
  /** The active model's id: a result from another model says so. */
  activeModelId: string | undefined
}

/** An unknown photo's classes, folded away: the closest ones, drawn muted (none of them is the photo). */
function ClosestClasses({ result }: { result: PhotoResult }) {
  return (
    <details
      data-testid="closest-classes"
      className="group/closest rounded-lg border border-zinc-200/80 bg-zinc-50/60 text-[11px] dark:border-zinc-800 dark:bg-zinc-950/40"
    >
      <summary className="flex cursor-pointer list-none items-center justify-between gap-2 rounded-lg px-2 py-1.5 text-zinc-500 outline-none select-none hover:text-zinc-800 focus-visible:ring-2 focus-visible:ring-indigo-500 dark:text-zinc-400 dark:hover:text-zinc-200">
        <span className="flex items-center gap-1">
          <span aria-hidden="true" className="inline-block transition-transform group-open/closest:rotate-90">
            ›
          </span>
          Closest classes
        </span>
        <span className="text-zinc-400 dark:text-zinc-500">not tags</span>
      </summary>
      <div className="px-2 pt-0.5 pb-2">
        <PredictionBars top={result.top} muted />
      </div>
    </details>
  )
}

/**
 * One dropped photo: its thumbnail, name, and the model's calibrated top-5; or, for a photo that is none of the
 * model's classes, says so (the closest class a muted hint); or why it could not be classified.
 */
export const PhotoCard = memo(function PhotoCard({ photo, activeModelId }: Props) {
  const result = photo.status === 'done' ? photo.result : undefined
  const unknown = result?.verdict.unknown === true
  const perImageMs = result ? result.batchMs / result.batchSize : undefined
  const otherModel = result !== undefined && activeModelId !== undefined && result.model.id !== activeModelId
  const timing = result
    ? `Inference ${formatMs(result.batchMs)} for a batch of ${result.batchSize} ` +
      `(${formatMs(perImageMs ?? 0)} per photo); decode + preprocess ${formatMs(result.decodeMs)}`
    : undefined

  // The card opens the photo's detail, except where a click or a key belongs to a control inside it.
  const fromControl = (target: EventTarget): boolean =>
    target instanceof Element && target.closest('button, a, summary, details, input, select') !== null
  const onClick = (event: MouseEvent<HTMLElement>): void => {
    if (!fromControl(event.target)) openDetail(photo.id)
  }
  const onKeyDown = (event: KeyboardEvent<HTMLElement>): void => {
    if (event.target !== event.currentTarget || event.ctrlKey || event.metaKey || event.altKey) return
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault()
      openDetail(photo.id)
    }
  }

  return (
    <article
      data-testid="photo-card"
      data-file-name={photo.name}
      data-status={photo.status}
      data-provider={result?.provider ?? ''}
      data-model-id={result?.model.id ?? ''}
      data-verdict={result ? (unknown ? 'unknown' : 'known') : ''}
      data-ood={result ? String(result.verdict.ood) : ''}
      {...(result ? { 'data-logits': JSON.stringify(result.logits) } : {})}
      aria-busy={photo.status === 'pending'}
      aria-label={`${photo.name}: open its detail`}
      tabIndex={0}
      onClick={onClick}
      onKeyDown={onKeyDown}
      title="Open the photo's detail: the class activation map and each stage's activations (Enter)"
      className="group flex w-full min-w-0 cursor-pointer flex-col overflow-hidden rounded-xl border border-zinc-200 bg-white shadow-[0_1px_2px_rgba(0,0,0,0.04)] transition-shadow outline-none hover:shadow-md focus-visible:ring-2 focus-visible:ring-indigo-500 dark:border-zinc-800 dark:bg-zinc-900 dark:hover:border-zinc-700"
    >
      <div className="relative aspect-[4/3] overflow-hidden bg-zinc-100 dark:bg-zinc-800/60">
        <Thumbnail photo={photo} />
        {photo.status === 'pending' && (
          <div className="absolute inset-0 flex items-center justify-center bg-white/40 backdrop-blur-[1px] dark:bg-zinc-950/40">
            <span className="flex items-center gap-2 rounded-full bg-white/90 px-3 py-1 text-[11px] font-medium text-zinc-600 shadow-sm dark:bg-zinc-900/90 dark:text-zinc-300">
              <Spinner className="h-3.5 w-3.5" />
              Classifying…
            </span>
          </div>
        )}
        {photo.status === 'error' && (
          <span className="absolute top-2 left-2 rounded-md bg-rose-600/90 px-1.5 py-0.5 text-[10.5px] font-medium text-white">
            Not classified
          </span>
        )}
        {unknown && (
          <span className="absolute top-2 left-2 rounded-md bg-zinc-900/75 px-1.5 py-0.5 text-[10.5px] font-medium text-white backdrop-blur-sm">
            Unknown
          </span>
        )}
      </div>

      <div className="flex flex-col gap-2.5 p-3">
        <div className="min-w-0">
          <h3 className="truncate text-[13px] font-medium text-zinc-900 dark:text-zinc-100" title={photo.path}>
            {photo.name}
          </h3>
          <p className="truncate text-[11px] text-zinc-500 tabular-nums dark:text-zinc-500">
            {result ? `${result.width} × ${result.height} px · ` : ''}
            {formatBytes(photo.size)}
          </p>
        </div>

        {photo.status === 'pending' && <PendingBars />}
        {photo.status === 'error' && (
          <div className="space-y-2">
            <CardError photo={photo} />
            {photo.failure !== undefined && photo.failure !== 'decode' && (
              <button
                type="button"
                onClick={() => retryPhoto(photo.id)}
                className="inline-flex items-center gap-1.5 rounded-md px-2 py-1 text-[12px] font-medium text-zinc-600 hover:bg-zinc-100 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none dark:text-zinc-300 dark:hover:bg-zinc-800"
              >
                <RetryIcon className="h-3.5 w-3.5" />
                Try again
              </button>
            )}
          </div>
        )}
        {result && (
          <>
            {unknown ? (
              <>
                <UnknownVerdict
                  verdict={result.verdict}
                  modelName={result.model.name}
                  classes={result.logits.length}
                  closest={result.top[0]}
                />
                <ClosestClasses result={result} />
              </>
            ) : (
              <PredictionBars top={result.top} />
            )}
            <div className="space-y-0.5 pt-0.5 text-[11px] text-zinc-500 dark:text-zinc-500">
              <p
                data-testid="card-model"
                data-other-model={otherModel}
                className={`truncate ${otherModel ? 'font-medium text-amber-700 dark:text-amber-400' : ''}`}
                title={
                  otherModel
                    ? `Classified by ${result.model.name}, which is not the active model now`
                    : `Classified by ${result.model.name}`
                }
              >
                {result.model.name}
              </p>
              <div className="flex items-center justify-between gap-2">
                <span className="truncate" title={`Ran on ${result.provider}`}>
                  {result.provider}
                </span>
                <span className="shrink-0 tabular-nums" title={timing}>
                  {formatMs(perImageMs ?? result.batchMs)} / photo
                </span>
              </div>
            </div>
            <LogitsDetails logits={result.logits} labels={result.labels} predicted={result.top[0]?.index ?? -1} />
          </>
        )}
      </div>
    </article>
  )
})
