import { useEffect, useRef, useState, type KeyboardEvent } from 'react'
import type { TagCountItem } from '../../../shared/ipc/contract'
import { inputField } from '../ui/buttons'
import { Kbd } from '../ui/Kbd'
import { addTagToSelection } from './tag-decisions'
import { searchTags } from './tag-manager-actions'

export const ADD_TAG_INPUT_ID = 'library-add-tag'

/**
 * Adds a tag to the selection: type a name, pick one of the library's tags that match (↑/↓, Enter)
 * or press Enter to add the name as typed. T focuses it; Esc goes back to the grid.
 */
export function AddTagField({ disabled, count }: { disabled: boolean; count: number }) {
  const [text, setText] = useState('')
  const [options, setOptions] = useState<TagCountItem[]>([])
  const [active, setActive] = useState(-1)
  const [open, setOpen] = useState(false)
  const request = useRef(0)

  useEffect(() => {
    const query = text.trim()
    const mine = ++request.current
    const timer = setTimeout(() => {
      if (query === '') {
        setOptions([])
        return
      }
      searchTags(query)
        .then((found) => {
          if (mine !== request.current) return
          setOptions(found.slice(0, 8))
          setActive(-1)
        })
        .catch(() => mine === request.current && setOptions([]))
    }, 80)
    return () => clearTimeout(timer)
  }, [text])

  const backToGrid = (): void => document.getElementById('library-grid')?.focus({ preventScroll: true })

  const submit = async (name: string): Promise<void> => {
    if (name.trim() === '') return
    if (await addTagToSelection(name)) {
      setText('')
      setOptions([])
      setOpen(false)
    }
  }

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>): void => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault()
      if (options.length === 0) return
      setOpen(true)
      const step = event.key === 'ArrowDown' ? 1 : -1
      // -1 is the name as typed; the matches follow.
      setActive((a) => {
        const next = a + step
        if (next < -1) return options.length - 1
        return next >= options.length ? -1 : next
      })
    } else if (event.key === 'Enter') {
      event.preventDefault()
      const picked = active >= 0 && open ? options[active] : undefined
      void submit(picked?.name ?? text)
    } else if (event.key === 'Escape') {
      event.preventDefault()
      event.stopPropagation()
      if (open && options.length > 0) setOpen(false)
      else {
        setText('')
        backToGrid()
      }
    }
  }

  const shown = open && options.length > 0
  return (
    <div className="relative">
      <label htmlFor={ADD_TAG_INPUT_ID} className="sr-only">
        Add a tag
      </label>
      <div className="flex gap-1.5">
        <input
          id={ADD_TAG_INPUT_ID}
          data-testid="add-tag-input"
          type="text"
          role="combobox"
          aria-expanded={shown}
          aria-controls="library-add-tag-options"
          aria-autocomplete="list"
          aria-activedescendant={shown && active >= 0 ? `add-tag-option-${active}` : undefined}
          autoComplete="off"
          spellCheck={false}
          disabled={disabled}
          value={text}
          placeholder={count > 1 ? `Add a tag to ${count} photos…` : 'Add a tag…'}
          title="Add a tag (T): type a name, ↑/↓ pick a match, Enter adds, Esc goes back to the grid"
          onChange={(event) => {
            setText(event.currentTarget.value)
            setOpen(true)
          }}
          onBlur={() => setOpen(false)}
          onFocus={() => setOpen(true)}
          onKeyDown={onKeyDown}
          className={`${inputField} py-1 text-[12.5px]`}
        />
        <span className="pointer-events-none absolute top-1/2 right-2 -translate-y-1/2">
          <Kbd>T</Kbd>
        </span>
      </div>
      {shown && (
        <ul
          id="library-add-tag-options"
          role="listbox"
          data-testid="add-tag-options"
          className="absolute inset-x-0 top-full z-20 mt-1 max-h-56 overflow-y-auto rounded-lg border border-zinc-200 bg-white py-1 shadow-lg dark:border-zinc-700 dark:bg-zinc-900"
        >
          {options.map((option, i) => (
            <li
              key={option.id}
              id={`add-tag-option-${i}`}
              role="option"
              aria-selected={i === active}
              data-testid="add-tag-option"
              data-tag={option.name}
              // mousedown, not click: the input's blur would close the list first.
              onMouseDown={(event) => {
                event.preventDefault()
                void submit(option.name)
              }}
              className={`flex cursor-pointer items-center justify-between gap-2 px-2.5 py-1 text-[12.5px] ${
                i === active
                  ? 'bg-indigo-50 text-indigo-800 dark:bg-indigo-500/15 dark:text-indigo-100'
                  : 'text-zinc-700 hover:bg-zinc-50 dark:text-zinc-200 dark:hover:bg-zinc-800'
              }`}
            >
              <span className="truncate">{option.name}</span>
              <span className="shrink-0 text-[11px] text-zinc-400 tabular-nums">
                {option.photos.toLocaleString('en-US')}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
