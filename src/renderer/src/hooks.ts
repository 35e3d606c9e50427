import { useEffect, type RefObject } from 'react'
import { cancelPending, clearPhotos, undoClear } from './actions'
import { startImport } from './models/actions'
import { PLACES, useNavStore } from './nav'
import { useClassifyStore } from './store'

export function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))
}

/** True while an in-app modal dialog is open: the window's shortcuts wait until it closes. */
export function modalOpen(): boolean {
  return document.querySelector('dialog[open]') !== null
}

/**
 * The window's keys, on every screen: Ctrl/⌘ + a place's digit (1 Classify, 2 Models, 3 Architecture,
 * 4 Library, 5 Review, 6 Jobs) goes there, Ctrl/⌘+I imports a model.
 */
export function useGlobalShortcuts(): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      const mod = event.ctrlKey || event.metaKey
      if (!mod || event.shiftKey || event.altKey || modalOpen()) return
      const place = PLACES.find((p) => p.digit === event.key)
      if (place) {
        event.preventDefault()
        useNavStore.getState().go(place.id)
      } else if (event.key.toLowerCase() === 'i') {
        event.preventDefault()
        void startImport()
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])
}

/**
 * The Classify screen's keys: Ctrl/⌘+O opens photos, Ctrl/⌘+Backspace clears, Ctrl/⌘+Z (or Z) undoes a
 * Clear, Esc cancels the photos still waiting.
 */
export function useClassifyShortcuts(inputRef: RefObject<HTMLInputElement | null>): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (modalOpen()) return
      const mod = event.ctrlKey || event.metaKey
      const key = event.key.toLowerCase()
      if (mod && !event.shiftKey && !event.altKey && key === 'o') {
        event.preventDefault()
        inputRef.current?.click()
        return
      }
      if (isTyping(event.target)) return
      if (mod && key === 'backspace') {
        event.preventDefault()
        clearPhotos()
      } else if (key === 'z' && !event.shiftKey && !event.altKey && useClassifyStore.getState().cleared) {
        event.preventDefault()
        undoClear()
      } else if (key === 'escape' && !mod) {
        cancelPending()
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [inputRef])
}
