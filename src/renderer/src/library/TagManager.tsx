import { useEffect, useState, type KeyboardEvent } from 'react'
import type { TagCountItem } from '../../../shared/ipc/contract'
import { formatCount } from '../lib/format'
import { dangerButton, ghostButton, inputField, secondaryButton } from '../ui/buttons'
import { CloseIcon, PencilIcon } from '../ui/Icons'
import { Kbd } from '../ui/Kbd'
import { handleEditKeys } from '../ui/keyboard'
import { Modal } from '../ui/Modal'
import { Spinner } from '../ui/Spinner'
import { LearnedTags } from './LearnedTags'
import { refreshTags } from './library-grid'
import { useLibraryStore } from './library-store'
import { mergeTags, renameTag } from './tag-manager-actions'

function RenameRow({ tag, onDone }: { tag: TagCountItem; onDone(): void }) {
  const [name, setName] = useState(tag.name)
  const [error, setError] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)
  const save = async (): Promise<void> => {
    if (name.trim() === '' || name.trim() === tag.name) {
      onDone()
      return
    }
    setSaving(true)
    const failure = await renameTag(tag.id, name)
    setSaving(false)
    if (failure) setError(failure)
    else onDone()
  }
  // Esc closes the field, not the dialog.
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>): void =>
    handleEditKeys(event, { save: () => void save(), cancel: onDone })
  return (
    <div className="min-w-0 flex-1">
      <input
        data-testid="tag-rename-input"
        autoFocus
        value={name}
        disabled={saving}
        aria-invalid={error !== null}
        aria-label={`New name for ${tag.name}`}
        onChange={(event) => {
          setName(event.currentTarget.value)
          setError(null)
        }}
        onKeyDown={onKeyDown}
        className={`${inputField} py-0.5`}
      />
      {error && (
        <p role="alert" data-testid="tag-rename-error" className="mt-1 text-[11.5px] text-rose-600 dark:text-rose-400">
          {error}
        </p>
      )}
    </div>
  )
}

/**
 * Rename and merge tags. A renamed tag keeps its old name as an alias (the model's label keeps landing
 * on it); merged tags move their photos onto the target, keeping the stronger decision where a photo
 * had both. Merging asks once. Above them, the tags learned from the person's examples (see LearnedTags).
 */
export function TagManager() {
  const open = useLibraryStore((s) => s.tagManagerOpen)
  if (!open) return null
  return <TagManagerDialog />
}

function TagManagerDialog() {
  const tags = useLibraryStore((s) => s.tags)
  const close = (): void => useLibraryStore.getState().setTagManagerOpen(false)
  const [renaming, setRenaming] = useState<number | null>(null)
  const [checked, setChecked] = useState<ReadonlySet<number>>(new Set())
  const [target, setTarget] = useState<number | null>(null)
  const [confirming, setConfirming] = useState(false)
  const [merging, setMerging] = useState(false)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    void refreshTags()
  }, [])

  const list = tags.status === 'ready' ? tags.data : []
  const names = new Map(list.map((t) => [t.id, t.name]))
  const sources = [...checked].filter((id) => id !== target && names.has(id))
  const targetName = target !== null ? names.get(target) : undefined

  const toggle = (id: number): void => {
    const next = new Set(checked)
    if (next.has(id)) next.delete(id)
    else next.add(id)
    setChecked(next)
    setConfirming(false)
  }

  const merge = async (): Promise<void> => {
    if (target === null || sources.length === 0) return
    if (!confirming) {
      setConfirming(true)
      return
    }
    setMerging(true)
    const failure = await mergeTags(sources, target)
    setMerging(false)
    setConfirming(false)
    if (failure) setError(failure)
    else {
      setChecked(new Set())
      setTarget(null)
      void refreshTags()
    }
  }

  return (
    <Modal onClose={close} labelledBy="tag-manager-title" testId="tag-manager" className="max-w-xl">
      <div className="flex max-h-[calc(100vh-3rem)] flex-col">
        <header className="flex h-12 shrink-0 items-center gap-3 border-b border-zinc-200 pr-2 pl-4 dark:border-zinc-800">
          <h2 id="tag-manager-title" className="text-[14px] font-semibold tracking-tight">
            Tags
          </h2>
          <span className="text-[12px] text-zinc-500 tabular-nums">{formatCount(list.length, 'tag')}</span>
          <button type="button" data-autofocus onClick={close} title="Close (Esc)" className={`${ghostButton} ml-auto`}>
            <CloseIcon className="h-4 w-4" />
            <Kbd>Esc</Kbd>
          </button>
        </header>
        <div className="min-h-0 flex-1 overflow-y-auto px-4 py-2">
          <LearnedTags />
          <h3 className="text-[11px] font-semibold tracking-[0.06em] text-zinc-500 uppercase">All tags</h3>
          {tags.status === 'loading' && (
            <p className="flex items-center gap-2 py-4 text-[13px] text-zinc-500">
              <Spinner className="h-4 w-4" /> Reading the tags…
            </p>
          )}
          {tags.status === 'error' && (
            <p role="alert" className="py-4 text-[13px] text-rose-600 dark:text-rose-400">
              The tags could not be read: {tags.message}
            </p>
          )}
          {tags.status === 'ready' && list.length === 0 && (
            <p className="py-4 text-[13px] text-zinc-500">No tags yet: classify photos or add a tag to one.</p>
          )}
          <ul className="divide-y divide-zinc-100 dark:divide-zinc-800">
            {list.map((tag) => (
              <li key={tag.id} data-testid="tag-row" data-tag={tag.name} className="flex items-center gap-3 py-1.5">
                <input
                  type="checkbox"
                  data-testid="tag-merge-check"
                  checked={checked.has(tag.id)}
                  onChange={() => toggle(tag.id)}
                  aria-label={`Merge ${tag.name}`}
                  className="accent-indigo-600"
                />
                {renaming === tag.id ? (
                  <RenameRow tag={tag} onDone={() => setRenaming(null)} />
                ) : (
                  <>
                    <span className="min-w-0 flex-1 truncate text-[13px] text-zinc-900 dark:text-zinc-100">
                      {tag.name}
                    </span>
                    <span className="shrink-0 text-[11.5px] text-zinc-500 tabular-nums dark:text-zinc-400">
                      {tag.accepted} accepted · {tag.suggested} suggested · {tag.rejected} rejected
                    </span>
                    <button
                      type="button"
                      data-testid="tag-rename"
                      onClick={() => setRenaming(tag.id)}
                      title={`Rename “${tag.name}” (the old name stays an alias)`}
                      aria-label={`Rename ${tag.name}`}
                      className={ghostButton}
                    >
                      <PencilIcon className="h-3.5 w-3.5" />
                    </button>
                  </>
                )}
              </li>
            ))}
          </ul>
        </div>
        <footer className="flex shrink-0 flex-wrap items-center gap-2 border-t border-zinc-200 px-4 py-3 text-[12.5px] dark:border-zinc-800">
          <span className="text-zinc-500 dark:text-zinc-400">Merge the checked tags into</span>
          <select
            data-testid="tag-merge-target"
            value={target ?? ''}
            onChange={(event) => {
              const value = event.currentTarget.value
              setTarget(value === '' ? null : Number(value))
              setConfirming(false)
            }}
            className="max-w-48 rounded-md border border-zinc-200 bg-white py-1 pr-6 pl-2 text-[12.5px] dark:border-zinc-700 dark:bg-zinc-800/80"
          >
            <option value="">a tag…</option>
            {list.map((tag) => (
              <option key={tag.id} value={tag.id}>
                {tag.name}
              </option>
            ))}
          </select>
          <button
            type="button"
            data-testid="tag-merge"
            disabled={target === null || sources.length === 0 || merging}
            onClick={() => void merge()}
            className={confirming ? dangerButton : secondaryButton}
            title="Their photos get the target tag; their names become aliases of it; they are deleted"
          >
            {merging && <Spinner className="h-3.5 w-3.5" />}
            {confirming
              ? `Merge ${formatCount(sources.length, 'tag')} into “${targetName}”: sure?`
              : `Merge${sources.length > 0 ? ` ${sources.length}` : ''}`}
          </button>
          {error && (
            <p role="alert" className="w-full text-[12px] text-rose-600 dark:text-rose-400">
              {error}
            </p>
          )}
        </footer>
      </div>
    </Modal>
  )
}
