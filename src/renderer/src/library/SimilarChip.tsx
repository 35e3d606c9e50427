import { formatCount } from '../lib/format'
import { CloseIcon } from '../ui/Icons'
import { useLibraryStore } from './library-store'
import { clearSimilar } from './similar-actions'

/**
 * "More like this" shows: the chip says like how many photos, and removing it (×) brings back the
 * filtered grid.
 */
export function SimilarChip() {
  const similar = useLibraryStore((s) => s.similar)
  const loading = useLibraryStore((s) => s.grid.status === 'loading')
  if (!similar) return null
  const count = similar.sourceIds.length
  return (
    <span
      data-testid="similar-filter"
      data-sources={count}
      data-missing={similar.missing}
      className="inline-flex items-center gap-1 rounded-full border border-indigo-500 bg-indigo-50 py-0.5 pr-0.5 pl-2.5 text-[12.5px] font-medium text-indigo-700 dark:border-indigo-400 dark:bg-indigo-500/15 dark:text-indigo-200"
      title={
        similar.missing > 0
          ? `${formatCount(similar.missing, 'photo')} of them not classified by the model yet: left out of the comparison`
          : 'The photos most like these, most similar first'
      }
    >
      Like {formatCount(count, 'photo')}
      {!loading && similar.missing > 0 && (
        <span className="font-normal text-indigo-600/80 dark:text-indigo-300/80">
          ({similar.missing.toLocaleString('en-US')} not classified)
        </span>
      )}
      <button
        type="button"
        data-testid="similar-filter-clear"
        onClick={clearSimilar}
        aria-label="Clear “More like this”: show the filtered photos again"
        title="Clear: show the filtered photos again"
        className="rounded-full p-0.5 hover:bg-indigo-100 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none dark:hover:bg-indigo-500/25"
      >
        <CloseIcon className="h-3.5 w-3.5" />
      </button>
    </span>
  )
}
