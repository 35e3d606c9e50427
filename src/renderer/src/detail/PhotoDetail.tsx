import { useEffect, useMemo, type KeyboardEvent } from 'react'
import { formatBytes, formatMs } from '../lib/format'
import { useSessionStore } from '../session/session-store'
import { iconButton } from '../ui/buttons'
import { CloseIcon } from '../ui/Icons'
import { Kbd } from '../ui/Kbd'
import { isTyping } from '../ui/keyboard'
import { Modal } from '../ui/Modal'
import { PredictionBars } from '../ui/PredictionBars'
import { RetryAlert } from '../ui/RetryAlert'
import { Spinner } from '../ui/Spinner'
import { StepButtons } from '../ui/StepButtons'
import { UnknownVerdict } from '../ui/VerdictNote'
import { ActivationsPanel } from './ActivationsPanel'
import { camOptions } from './cam'
import { CamControls } from './CamControls'
import { closeDetail, ensureActivations, stepDetail } from './detail-actions'
import { runKey, useDetailStore, type ActivationsResult, type DetailPhoto } from './detail-store'
import { PhotoView } from './PhotoView'

function Waiting({ text }: { text: string }) {
  return (
    <div data-testid="activations-loading" role="status" className="space-y-4">
      <p className="flex items-center gap-2 text-[13px] text-zinc-500 dark:text-zinc-400">
        <Spinner className="h-4 w-4" /> {text}
      </p>
      {[0, 1, 2].map((row) => (
        <div key={row} className="space-y-2">
          <div className="h-3 w-40 animate-pulse rounded bg-zinc-100 dark:bg-zinc-800" />
          <div className="grid grid-cols-8 gap-1">
            {Array.from({ length: 8 }, (_, i) => (
              <div key={i} className="aspect-square animate-pulse rounded-[3px] bg-zinc-100 dark:bg-zinc-800" />
            ))}
          </div>
        </div>
      ))}
    </div>
  )
}

function Failure({ message, onRetry }: { message: string; onRetry(): void }) {
  return (
    <RetryAlert
      testId="activations-error"
      title="The activations could not be computed"
      message={message}
      onRetry={onRetry}
    />
  )
}

function Timing({ result }: { result: ActivationsResult }) {
  const total = result.decodeMs + result.sessionMs + result.runMs + result.analysisMs
  return (
    <p
      data-testid="activations-timing"
      data-run-ms={result.runMs.toFixed(1)}
      data-session-ms={result.sessionMs.toFixed(1)}
      data-total-ms={total.toFixed(1)}
      data-provider={result.provider.label}
      className="text-[11px] leading-snug text-zinc-400 tabular-nums dark:text-zinc-500"
      title={result.provider.reason || undefined}
    >
      {result.model.name} on {result.provider.label} · run with the stage outputs {formatMs(result.runMs)}
      {result.sessionMs > 0 ? ` · tapped session opened in ${formatMs(result.sessionMs)}` : ''} · decode{' '}
      {formatMs(result.decodeMs)} · maps and CAMs {formatMs(result.analysisMs)}
    </p>
  )
}

function Predictions({ photo, result }: { photo: DetailPhoto; result: ActivationsResult }) {
  const card = photo.result
  const other = card && card.model.id !== result.model.id ? card.model.name : undefined
  // The card's verdict (the features run); the detail's run of the tapped copy ranks the same classes.
  const unknown = card?.verdict.unknown === true && !other
  return (
    <section
      data-testid="detail-predictions"
      data-verdict={card && !other ? (unknown ? 'unknown' : 'known') : ''}
      aria-labelledby="detail-predictions-heading"
      className="space-y-2.5"
    >
      <h3 id="detail-predictions-heading" className="text-[13px] font-semibold text-zinc-900 dark:text-zinc-50">
        {unknown ? 'Verdict' : 'Predictions'}
      </h3>
      {unknown && card ? (
        <>
          <UnknownVerdict
            verdict={card.verdict}
            modelName={card.model.name}
            classes={card.logits.length}
            closest={result.top[0]}
            size="detail"
          />
          <p className="text-[11.5px] font-medium text-zinc-500 dark:text-zinc-400">Closest classes (not tags)</p>
          <PredictionBars top={result.top} muted />
        </>
      ) : (
        <PredictionBars top={result.top} />
      )}
      {other && (
        <p className="text-[11.5px] leading-snug text-amber-700 dark:text-amber-400">
          The card was classified by {other}; this view uses the active model, {result.model.name}.
        </p>
      )}
    </section>
  )
}

function Body({ photo }: { photo: DetailPhoto }) {
  const model = useSessionStore((s) => s.model)
  const modelId = model.status === 'ready' ? model.card.id : undefined
  const run = useDetailStore((s) => (modelId !== undefined ? s.runs[runKey(photo.id, modelId)] : undefined))
  const cam = useDetailStore((s) => s.cam)
  const zoom = useDetailStore((s) => s.zoom)
  const setCam = useDetailStore((s) => s.setCam)
  const setZoom = useDetailStore((s) => s.setZoom)
  const result = run?.status === 'ready' ? run.data : undefined

  useEffect(() => {
    if (modelId !== undefined) void ensureActivations(photo)
  }, [photo, modelId])
  // Another model has other classes and stages: its map starts on its own top class.
  useEffect(() => {
    useDetailStore.getState().setCam({ classIndex: null, compareWith: null })
    useDetailStore.getState().setZoom(null)
  }, [modelId])

  const options = useMemo(() => (result ? camOptions(result) : []), [result])
  const classA =
    cam.classIndex !== null && options.some((o) => o.index === cam.classIndex)
      ? cam.classIndex
      : (options[0]?.index ?? null)

  let panel
  if (model.status === 'error')
    panel = <Failure message={model.message} onRetry={() => void ensureActivations(photo, true)} />
  else if (!run || run.status === 'loading') {
    panel = (
      <Waiting
        text={
          model.status === 'ready'
            ? `Running ${model.card.name} with its stage outputs…`
            : 'Waiting for the model to load…'
        }
      />
    )
  } else if (run.status === 'error') {
    panel = <Failure message={run.message} onRetry={() => void ensureActivations(photo, true)} />
  } else {
    panel = <ActivationsPanel result={run.data} zoom={zoom} onZoom={setZoom} />
  }

  return (
    <div className="grid min-h-0 flex-1 grid-cols-[minmax(0,1.15fr)_minmax(0,1fr)]">
      <div className="flex min-h-0 flex-col gap-4 overflow-y-auto p-4">
        <div className="min-h-[300px] flex-1">
          <PhotoView
            photo={photo}
            result={result}
            classA={classA}
            compareWith={cam.compareWith}
            showCam={cam.shown}
            opacity={cam.opacity}
            zoom={zoom}
            onCloseZoom={() => setZoom(null)}
          />
        </div>
        {result && (
          <div className="grid shrink-0 grid-cols-[minmax(0,1.25fr)_minmax(0,1fr)] gap-5">
            {classA !== null ? (
              <CamControls result={result} options={options} classA={classA} settings={cam} onChange={setCam} />
            ) : (
              <p data-testid="cam-unavailable" className="text-[12px] leading-snug text-zinc-500 dark:text-zinc-400">
                No class activation map for this model: {result.camError ?? 'its classifier could not be read'}.
              </p>
            )}
            <Predictions photo={photo} result={result} />
          </div>
        )}
        {result && <Timing result={result} />}
      </div>
      <div className="min-h-0 overflow-y-auto border-l border-zinc-200 px-4 pt-3 pb-6 dark:border-zinc-800">
        {panel}
      </div>
    </div>
  )
}

/**
 * A photo's detail, over the Classify screen: the photo large with its class activation map, the
 * predictions, and the Activations panel. Esc closes (a zoomed channel first), ← → move between photos,
 * C shows or hides the map.
 */
export function PhotoDetail({ photos }: { photos: readonly DetailPhoto[] }) {
  const photoId = useDetailStore((s) => s.photoId)
  const zoom = useDetailStore((s) => s.zoom)
  const at = photos.findIndex((p) => p.id === photoId)
  const photo = photos[at]

  useEffect(() => {
    // The photo was cleared while its detail was open.
    if (photoId !== null && !photo) closeDetail()
  }, [photoId, photo])

  if (!photo) return null

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    if (event.ctrlKey || event.metaKey || event.altKey) return
    if (event.key === 'Escape' && zoom) {
      // Closes the zoomed channel only: the dialog's own Esc handling never sees this key.
      event.preventDefault()
      useDetailStore.getState().setZoom(null)
      return
    }
    if (isTyping(event.target)) return
    if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') {
      event.preventDefault()
      stepDetail(photos, event.key === 'ArrowLeft' ? -1 : 1)
    } else if (event.key === 'c' || event.key === 'C') {
      event.preventDefault()
      const { cam, setCam } = useDetailStore.getState()
      setCam({ shown: !cam.shown })
    }
  }

  const size = photo.result ? `${photo.result.width} × ${photo.result.height} px · ` : ''
  return (
    <Modal
      onClose={closeDetail}
      labelledBy="photo-detail-title"
      testId="photo-detail"
      className="h-[calc(100vh-3rem)] max-w-[1480px]"
    >
      <div className="flex h-full flex-col" data-photo-id={photo.id} data-file-name={photo.name} onKeyDown={onKeyDown}>
        <header className="flex h-12 shrink-0 items-center gap-3 border-b border-zinc-200 pr-2 pl-4 dark:border-zinc-800">
          <h2
            id="photo-detail-title"
            className="min-w-0 truncate text-[14px] font-semibold tracking-tight text-zinc-900 dark:text-zinc-50"
            title={photo.path}
          >
            {photo.name}
          </h2>
          <span className="shrink-0 text-[12px] text-zinc-500 tabular-nums dark:text-zinc-400">
            {size}
            {formatBytes(photo.size)}
          </span>
          <span className="ml-auto shrink-0 text-[11.5px] text-zinc-400 tabular-nums dark:text-zinc-500">
            {at + 1} of {photos.length}
          </span>
          <div className="flex shrink-0 items-center gap-0.5">
            <StepButtons
              onStep={(delta) => stepDetail(photos, delta)}
              atStart={at <= 0}
              atEnd={at >= photos.length - 1}
              testIdPrefix="detail"
            />
            <button
              type="button"
              data-testid="detail-close"
              data-autofocus
              onClick={closeDetail}
              title="Close (Esc)"
              aria-keyshortcuts="Escape"
              className={`${iconButton} ml-1 flex items-center gap-1.5 pr-2 text-[12px] font-medium`}
            >
              <CloseIcon className="h-4 w-4" />
              <Kbd>Esc</Kbd>
            </button>
          </div>
        </header>
        <Body key={photo.id} photo={photo} />
      </div>
    </Modal>
  )
}
