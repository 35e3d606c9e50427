import { useEffect } from 'react'
import { formatPercent } from '../lib/format'
import { RetryAlert } from '../ui/RetryAlert'
import { Spinner } from '../ui/Spinner'
import { loadSimilar } from './similar-actions'
import { similarKey, useSimilarStore } from './similar-store'

const PIXELATED_BELOW = 96

type StripState = ReturnType<typeof useSimilarStore.getState>['byKey'][string] | undefined

/** What the strip shows, for tests: loading, error, missing (not classified), empty, ready. */
function stateOf(state: StripState): string {
  if (!state || state.status === 'loading') return 'loading'
  if (state.status === 'error') return 'error'
  if (state.data.missing > 0) return 'missing'
  return state.data.photos.length === 0 ? 'empty' : 'ready'
}

/**
 * The photos most like this one, best first, with their similarity: a click (or Enter) opens one.
 * `modelId` picks the model whose embeddings compare them (default: the active one).
 */
export function SimilarStrip({
  photoId,
  modelId,
  onOpen,
}: {
  photoId: number
  modelId?: string
  onOpen(photoId: number): void
}) {
  const state = useSimilarStore((s) => s.byKey[similarKey(photoId, modelId)])

  useEffect(() => {
    void loadSimilar(photoId, modelId)
  }, [photoId, modelId])

  let body
  if (!state || state.status === 'loading') {
    body = (
      <p role="status" className="flex items-center gap-2 text-[12px] text-zinc-500 dark:text-zinc-400">
        <Spinner className="h-3.5 w-3.5" /> Finding similar photos…
      </p>
    )
  } else if (state.status === 'error') {
    body = (
      <RetryAlert
        testId="similar-error"
        title="The similar photos could not be found"
        message={state.message}
        onRetry={() => void loadSimilar(photoId, modelId)}
        className="px-3 py-2"
      />
    )
  } else if (state.data.missing > 0) {
    body = (
      <p data-testid="similar-missing" className="text-[12px] leading-snug text-zinc-500 dark:text-zinc-400">
        Classify this photo to find similar ones.
      </p>
    )
  } else if (state.data.photos.length === 0) {
    body = (
      <p data-testid="similar-none" className="text-[12px] leading-snug text-zinc-500 dark:text-zinc-400">
        No other photo classified by this model yet.
      </p>
    )
  } else {
    body = (
      <ul className="grid grid-cols-4 gap-1.5" aria-label="Similar photos, most similar first">
        {state.data.photos.map(({ photo, score }) => (
          <li key={photo.id}>
            <button
              type="button"
              data-testid="similar-item"
              data-photo-id={photo.id}
              data-score={score.toFixed(4)}
              onClick={() => onOpen(photo.id)}
              title={`${photo.name}: ${formatPercent(score)} similar (Enter opens it)`}
              aria-label={`${photo.name}, ${formatPercent(score)} similar`}
              className="block w-full rounded-md p-0.5 text-left hover:bg-zinc-100 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none dark:hover:bg-zinc-800"
            >
              <img
                src={photo.thumbUrl}
                alt=""
                loading="lazy"
                draggable={false}
                className={`block aspect-square w-full rounded bg-zinc-100 object-cover dark:bg-zinc-800/60 ${
                  Math.max(photo.width, photo.height) < PIXELATED_BELOW ? '[image-rendering:pixelated]' : ''
                }`}
              />
              <span className="block text-center text-[10.5px] text-zinc-500 tabular-nums dark:text-zinc-400">
                {Math.round(score * 100)} %
              </span>
            </button>
          </li>
        ))}
      </ul>
    )
  }
  return (
    <section
      data-testid="similar-strip"
      data-photo-id={photoId}
      data-state={stateOf(state)}
      aria-labelledby={`similar-heading-${photoId}`}
      className="space-y-1.5"
    >
      <h3
        id={`similar-heading-${photoId}`}
        className="text-[11px] font-semibold tracking-[0.06em] text-zinc-500 uppercase"
      >
        Similar photos
      </h3>
      {body}
    </section>
  )
}
