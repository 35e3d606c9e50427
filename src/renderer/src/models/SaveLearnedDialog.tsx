import { useState } from 'react'
import type { LearnedTagItem } from '../../../shared/ipc/contract/own-tags'
import { formatCount } from '../lib/format'
import { ghostButton, inputField, primaryButton, secondaryButton } from '../ui/buttons'
import { CloseIcon, TagIcon } from '../ui/Icons'
import { Kbd } from '../ui/Kbd'
import { Modal } from '../ui/Modal'
import { RetryAlert } from '../ui/RetryAlert'
import { Spinner } from '../ui/Spinner'
import { closeSaveLearned, openSaveLearned, saveLearnedModel } from './save-learned-actions'
import { MIN_TAGS, saveProblem, useSaveLearnedStore } from './save-learned-store'

/** The Models screen's "Save learned tags as a model…". */
export function SaveLearnedButton() {
  return (
    <button
      type="button"
      data-testid="save-learned-model"
      onClick={() => void openSaveLearned()}
      title="Save tags learned from your examples as a model of their own (the backbone with a head for them)"
      className={`${secondaryButton} text-[13px]`}
    >
      <TagIcon className="h-4 w-4" />
      Save learned tags as a model…
    </button>
  )
}

function Form({ learned }: { learned: LearnedTagItem[] }) {
  const saving = useSaveLearnedStore((s) => s.saving)
  const error = useSaveLearnedStore((s) => s.error)
  const [name, setName] = useState('My tags')
  const [checked, setChecked] = useState<ReadonlySet<number>>(() => new Set(learned.map((t) => t.tagId)))
  const tagIds = learned.filter((t) => checked.has(t.tagId)).map((t) => t.tagId)
  const problem = saveProblem(name, tagIds)

  if (learned.length < MIN_TAGS) {
    return (
      <p
        data-testid="save-learned-too-few"
        className="px-5 py-4 text-[12.5px] leading-relaxed text-zinc-600 dark:text-zinc-300"
      >
        {learned.length === 0 ? 'No tag is learned yet.' : 'Only one tag is learned so far.'} Learn at least {MIN_TAGS}{' '}
        of your tags in the Library (Tags… → Learn) to save them as a model.
      </p>
    )
  }
  const toggle = (id: number): void => {
    const next = new Set(checked)
    if (next.has(id)) next.delete(id)
    else next.add(id)
    setChecked(next)
  }
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault()
        void saveLearnedModel(name, tagIds)
      }}
    >
      <div className="space-y-3 px-5 py-4">
        <label className="block space-y-1 text-[12.5px] font-medium text-zinc-700 dark:text-zinc-200">
          Name
          <input
            data-testid="save-learned-name"
            data-autofocus
            value={name}
            maxLength={200}
            disabled={saving}
            onChange={(event) => setName(event.currentTarget.value)}
            className={inputField}
          />
        </label>
        <fieldset className="space-y-1">
          <legend className="text-[12.5px] font-medium text-zinc-700 dark:text-zinc-200">
            Learned tags to include (at least {MIN_TAGS})
          </legend>
          <ul className="max-h-60 overflow-y-auto">
            {learned.map((tag) => (
              <li key={tag.tagId}>
                <label className="flex items-center gap-2 py-1 text-[13px]">
                  <input
                    type="checkbox"
                    data-testid="save-learned-tag"
                    data-tag={tag.name}
                    checked={checked.has(tag.tagId)}
                    disabled={saving}
                    onChange={() => toggle(tag.tagId)}
                    className="accent-indigo-600"
                  />
                  <span className="min-w-0 flex-1 truncate">{tag.name}</span>
                  <span className="text-[11.5px] text-zinc-500 tabular-nums">
                    {formatCount(tag.positives, 'example')}
                  </span>
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
        {error && (
          <p role="alert" data-testid="save-learned-error" className="text-[12px] text-rose-600 dark:text-rose-400">
            {error}
          </p>
        )}
      </div>
      <div className="flex items-center justify-end gap-2 border-t border-zinc-100 bg-zinc-50/70 px-5 py-3 dark:border-zinc-800 dark:bg-zinc-950/30">
        {problem && <span className="mr-auto text-[12px] text-zinc-500">{problem}</span>}
        <button type="button" onClick={closeSaveLearned} disabled={saving} className={secondaryButton}>
          Cancel <span className="font-normal text-zinc-400">Esc</span>
        </button>
        <button
          type="submit"
          data-testid="save-learned-confirm"
          disabled={saving || problem !== null}
          className={primaryButton}
        >
          {saving && <Spinner className="h-3.5 w-3.5" />}
          {saving ? 'Saving…' : `Save ${formatCount(tagIds.length, 'tag')} as a model`}
        </button>
      </div>
    </form>
  )
}

/** Name the model and pick its learned tags; Esc closes. */
export function SaveLearnedDialog() {
  const open = useSaveLearnedStore((s) => s.open)
  const learned = useSaveLearnedStore((s) => s.learned)
  if (!open) return null
  return (
    <Modal onClose={closeSaveLearned} labelledBy="save-learned-title" testId="save-learned-dialog" className="max-w-md">
      <header className="flex h-12 items-center gap-3 border-b border-zinc-200 pr-2 pl-5 dark:border-zinc-800">
        <h2 id="save-learned-title" className="text-[14px] font-semibold tracking-tight">
          Save learned tags as a model
        </h2>
        <button type="button" onClick={closeSaveLearned} title="Close (Esc)" className={`${ghostButton} ml-auto`}>
          <CloseIcon className="h-4 w-4" />
          <Kbd>Esc</Kbd>
        </button>
      </header>
      {learned.status === 'loading' && (
        <p className="flex items-center gap-2 px-5 py-4 text-[13px] text-zinc-500">
          <Spinner className="h-4 w-4" /> Reading the learned tags…
        </p>
      )}
      {learned.status === 'error' && (
        <RetryAlert
          testId="save-learned-load-error"
          title="The learned tags could not be read"
          message={learned.message}
          onRetry={() => void openSaveLearned()}
          className="m-5"
        />
      )}
      {learned.status === 'ready' && <Form learned={learned.data} />}
    </Modal>
  )
}
