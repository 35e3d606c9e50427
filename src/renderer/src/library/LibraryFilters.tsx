import { useState, type KeyboardEvent } from 'react'
import { modelsOf, useSessionStore } from '../session/session-store'
import { ghostButton } from '../ui/buttons'
import { CloseIcon, LayersIcon, SearchIcon, TagIcon } from '../ui/Icons'
import { Kbd } from '../ui/Kbd'
import { clearFilter, setFilter, setQuery } from './filter-actions'
import { isFiltered, useLibraryStore } from './library-store'
import { SimilarChip } from './SimilarChip'

export const SEARCH_INPUT_ID = 'library-search'

const selectClass =
  'max-w-32 rounded-md border border-zinc-200 bg-white py-1 pr-6 pl-2 text-[12.5px] text-zinc-800 hover:border-zinc-300 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none dark:border-zinc-700 dark:bg-zinc-800/80 dark:text-zinc-100'

function Search() {
  const query = useLibraryStore((s) => s.filter.query)
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>): void => {
    if (event.key === 'Escape') {
      event.preventDefault()
      if (query !== '') setQuery('')
      else document.getElementById('library-grid')?.focus({ preventScroll: true })
    } else if (event.key === 'Enter' || event.key === 'ArrowDown') {
      event.preventDefault()
      document.getElementById('library-grid')?.focus({ preventScroll: true })
    }
  }
  return (
    <div className="relative w-44 shrink-0">
      <SearchIcon className="pointer-events-none absolute top-1/2 left-2 h-3.5 w-3.5 -translate-y-1/2 text-zinc-400" />
      <input
        id={SEARCH_INPUT_ID}
        data-testid="library-search"
        type="search"
        value={query}
        placeholder="Search tags"
        aria-label="Search photos by tag"
        aria-keyshortcuts="/"
        title="Search as you type: photos with a tag whose words start with what you type (/); Enter goes to the grid, Esc clears"
        spellCheck={false}
        autoComplete="off"
        onChange={(event) => setQuery(event.currentTarget.value)}
        onKeyDown={onKeyDown}
        className="w-full rounded-md border border-zinc-200 bg-white py-1 pr-7 pl-7 text-[12.5px] text-zinc-900 placeholder:text-zinc-400 hover:border-zinc-300 focus-visible:border-indigo-500 focus-visible:ring-2 focus-visible:ring-indigo-500/30 focus-visible:outline-none dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
      />
      <span className="pointer-events-none absolute top-1/2 right-2 -translate-y-1/2">
        <Kbd>/</Kbd>
      </span>
    </div>
  )
}

function TagFilter() {
  const tagId = useLibraryStore((s) => s.filter.tagId)
  const tags = useLibraryStore((s) => s.tags)
  const list = tags.status === 'ready' ? tags.data.filter((t) => t.photos > 0 || t.id === tagId) : []
  return (
    <label className="flex items-center gap-1.5 text-[12px] text-zinc-500 dark:text-zinc-400">
      <TagIcon className="h-3.5 w-3.5" />
      <span className="sr-only">Tag</span>
      <select
        data-testid="filter-tag"
        value={tagId ?? ''}
        onChange={(event) => {
          const value = event.currentTarget.value
          setFilter({ tagId: value === '' ? null : Number(value) })
        }}
        title="Only photos with this tag (suggested or accepted)"
        className={selectClass}
      >
        <option value="">All tags</option>
        {list.map((tag) => (
          <option key={tag.id} value={tag.id} data-name={tag.name}>
            {tag.name} · {tag.photos.toLocaleString('en-US')}
          </option>
        ))}
      </select>
    </label>
  )
}

function toggleClass(on: boolean): string {
  return `rounded-md border px-2 py-1 text-[12.5px] font-medium whitespace-nowrap focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none ${
    on
      ? 'border-indigo-500 bg-indigo-50 text-indigo-700 dark:border-indigo-400 dark:bg-indigo-500/15 dark:text-indigo-200'
      : 'border-zinc-200 bg-white text-zinc-600 hover:border-zinc-300 dark:border-zinc-700 dark:bg-zinc-800/70 dark:text-zinc-300'
  }`
}

function NeedsReview() {
  const on = useLibraryStore((s) => s.filter.needsReview)
  return (
    <button
      type="button"
      data-testid="filter-needs-review"
      aria-pressed={on}
      onClick={() => setFilter({ needsReview: !on })}
      title="Only photos with a suggestion waiting for a decision"
      className={toggleClass(on)}
    >
      Needs review
    </button>
  )
}

function UnknownToModel() {
  const on = useLibraryStore((s) => s.filter.unknown)
  const picked = useLibraryStore((s) => s.filter.modelId !== null)
  const activeName = useSessionStore((s) => (s.model.status === 'ready' ? s.model.card.name : 'the active model'))
  return (
    <button
      type="button"
      data-testid="filter-unknown"
      aria-pressed={on}
      onClick={() => setFilter({ unknown: !on })}
      title={`Only photos that are none of the classes of ${picked ? 'the model picked' : activeName}: they get no tags`}
      className={toggleClass(on)}
    >
      Unknown to the model
    </button>
  )
}

/** A percentage typed in a small field, applied on Enter or when the field is left. */
function PercentField({
  testId,
  label,
  value,
  onCommit,
}: {
  testId: string
  label: string
  value: number | null
  onCommit(value: number | null): void
}) {
  const [text, setText] = useState<string | null>(null)
  const shown = text ?? (value !== null ? String(Math.round(value * 1000) / 10) : '')
  const commit = (): void => {
    if (text === null) return
    setText(null)
    const trimmed = text.trim()
    if (trimmed === '') {
      if (value !== null) onCommit(null)
      return
    }
    const n = Number(trimmed)
    if (!Number.isFinite(n)) return
    const p = Math.max(0, Math.min(100, n)) / 100
    if (p !== value) onCommit(p)
  }
  return (
    <input
      data-testid={testId}
      type="number"
      min={0}
      max={100}
      step={1}
      value={shown}
      placeholder={label === 'from' ? '0' : '100'}
      aria-label={`Top-1 probability ${label}, in %`}
      onChange={(event) => setText(event.currentTarget.value)}
      onBlur={commit}
      onKeyDown={(event) => {
        if (event.key === 'Enter') commit()
        if (event.key === 'Escape') setText(null)
      }}
      className="w-12 [appearance:textfield] rounded-md border border-zinc-200 bg-white px-1.5 py-1 text-right [&::-webkit-inner-spin-button]:appearance-none text-[12.5px] text-zinc-800 tabular-nums focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none dark:border-zinc-700 dark:bg-zinc-800/80 dark:text-zinc-100"
    />
  )
}

function ModelFilter() {
  const filter = useLibraryStore((s) => s.filter)
  const models = useSessionStore(modelsOf)
  const activeName = useSessionStore((s) => (s.model.status === 'ready' ? s.model.card.name : 'the active model'))
  return (
    <div className="flex items-center gap-1.5 text-[12px] text-zinc-500 dark:text-zinc-400">
      <select
        data-testid="filter-model"
        value={filter.modelId ?? ''}
        onChange={(event) => {
          const value = event.currentTarget.value
          setFilter({ modelId: value === '' ? null : value })
        }}
        title="Only photos this model classified"
        aria-label="Model"
        className={selectClass}
      >
        <option value="">Any model</option>
        {models.map((m) => (
          <option key={m.id} value={m.id}>
            {m.name}
          </option>
        ))}
      </select>
      <span
        className="whitespace-nowrap"
        title={`The top-1 probability ${filter.modelId ? 'of that model' : `of ${activeName} (pick a model to use another)`}`}
      >
        top-1
      </span>
      <PercentField
        testId="filter-min-p"
        label="from"
        value={filter.minProbability}
        onCommit={(p) => setFilter({ minProbability: p })}
      />
      <span>–</span>
      <PercentField
        testId="filter-max-p"
        label="to"
        value={filter.maxProbability}
        onCommit={(p) => setFilter({ maxProbability: p })}
      />
      <span>%</span>
    </div>
  )
}

function ShowRejected() {
  const show = useLibraryStore((s) => s.showRejected)
  const setShow = useLibraryStore((s) => s.setShowRejected)
  return (
    <label
      className="flex items-center gap-1.5 text-[12px] whitespace-nowrap text-zinc-500 dark:text-zinc-400"
      title="Show rejected tags on the tiles (struck through)"
    >
      <input
        type="checkbox"
        data-testid="filter-show-rejected"
        checked={show}
        onChange={(event) => setShow(event.currentTarget.checked)}
        className="accent-indigo-600"
      />
      Rejected
    </label>
  )
}

/** The filters over the grid; every change reads the grid again from its first page. */
export function LibraryFilters() {
  const filtered = useLibraryStore((s) => isFiltered(s.filter))
  const openTags = useLibraryStore((s) => s.setTagManagerOpen)
  const openDuplicates = useLibraryStore((s) => s.setDuplicatesOpen)
  return (
    <div
      data-testid="library-filters"
      className="flex shrink-0 flex-wrap items-center gap-x-3 gap-y-2 border-b border-zinc-200 px-5 py-2 dark:border-zinc-800/80"
    >
      <SimilarChip />
      <Search />
      <TagFilter />
      <NeedsReview />
      <UnknownToModel />
      <ModelFilter />
      <ShowRejected />
      <div className="ml-auto flex items-center gap-1">
        {filtered && (
          <button
            type="button"
            data-testid="filter-clear"
            onClick={clearFilter}
            title="Clear the filters: show every photo again"
            className={ghostButton}
          >
            <CloseIcon className="h-3.5 w-3.5" />
            Clear
          </button>
        )}
        <button
          type="button"
          data-testid="open-tag-manager"
          onClick={() => openTags(true)}
          title="Rename, merge and learn tags"
          className={ghostButton}
        >
          <TagIcon className="h-4 w-4" />
          Tags…
        </button>
        <button
          type="button"
          data-testid="open-duplicates"
          onClick={() => openDuplicates(true)}
          title="Find the photos that are copies of one another (the same picture, resized or re-saved)"
          className={ghostButton}
        >
          <LayersIcon className="h-4 w-4" />
          Duplicates…
        </button>
      </div>
    </div>
  )
}
