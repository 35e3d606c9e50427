import { useEffect } from 'react'
import { startImport } from '../models/import-actions'
import { useNavStore } from '../session/navigation'
import { modalOpen } from '../ui/keyboard'
import { PLACES } from './places'

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
