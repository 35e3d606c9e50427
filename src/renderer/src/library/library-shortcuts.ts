import { useEffect } from 'react'
import { isTyping, modalOpen } from '../ui/keyboard'
import { pickFolders } from './add-photos'
import { clearSelection, moveFocus, openViewer, selectAllLoaded, toggleFocus } from './selection-actions'
import { moreLikeThis } from './similar-actions'
import { acceptSelection, rejectSelection, undoLast } from './tag-decisions'

const MOVE_KEYS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown'])

/** Keys that belong to the control in focus (a button's Space, a select's arrows), not to the grid. */
function onControl(target: EventTarget | null): boolean {
  return (
    target instanceof Element &&
    target.closest('button, a, input, select, textarea, summary, [role="combobox"]') !== null
  )
}

function focusElement(id: string): void {
  const element = document.getElementById(id)
  if (element instanceof HTMLInputElement) {
    element.focus()
    element.select()
  } else element?.focus({ preventScroll: true })
}

/**
 * The Library's keys: arrows (and Home, End, Page Up/Down) move the focus and select, Shift extends,
 * Ctrl/⌘ moves the focus only, Space toggles, Ctrl/⌘+A selects every loaded photo, Esc clears the
 * selection, Enter shows the photo large; A accepts, R rejects, T adds a tag, Z (or Ctrl/⌘+Z) undoes,
 * M shows the photos most like the selection ("More like this"), / searches, Ctrl/⌘+O adds photos.
 */
export function useLibraryShortcuts(ids: { search: string; addTag: string; grid: string }): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (modalOpen() || event.altKey || event.defaultPrevented) return
      const mod = event.ctrlKey || event.metaKey
      const key = event.key.length === 1 ? event.key.toLowerCase() : event.key
      if (mod && !event.shiftKey && key === 'o') {
        event.preventDefault()
        pickFolders()
        return
      }
      if (isTyping(event.target)) return
      if (mod && !event.shiftKey && key === 'z') {
        event.preventDefault()
        void undoLast()
        return
      }
      if (mod && !event.shiftKey && key === 'a') {
        event.preventDefault()
        selectAllLoaded()
        return
      }
      if (MOVE_KEYS.has(key) && !onControl(event.target)) {
        if (moveFocus(key, { shift: event.shiftKey, mod })) {
          event.preventDefault()
          focusElement(ids.grid)
        }
        return
      }
      if (mod) return
      if (key === ' ' && !onControl(event.target)) {
        event.preventDefault()
        toggleFocus()
        focusElement(ids.grid)
      } else if (key === 'Enter' && !onControl(event.target)) {
        event.preventDefault()
        openViewer()
      } else if (key === 'Escape') {
        clearSelection()
      } else if (event.shiftKey) {
        return
      } else if (key === '/') {
        event.preventDefault()
        focusElement(ids.search)
      } else if (key === 'a') {
        event.preventDefault()
        acceptSelection()
      } else if (key === 'r') {
        event.preventDefault()
        rejectSelection()
      } else if (key === 'm') {
        if (moreLikeThis()) event.preventDefault()
      } else if (key === 't') {
        event.preventDefault()
        focusElement(ids.addTag)
      } else if (key === 'z') {
        event.preventDefault()
        void undoLast()
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [ids.search, ids.addTag, ids.grid])
}
