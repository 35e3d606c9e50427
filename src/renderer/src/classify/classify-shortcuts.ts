import { useEffect, type RefObject } from 'react'
import { isTyping, modalOpen } from '../ui/keyboard'
import { cancelPending, clearPhotos, undoClear } from './classify-actions'
import { useClassifyStore } from './classify-store'

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
