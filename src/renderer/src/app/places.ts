import { shortcutLabel } from '../lib/format'
import type { Place } from '../session/navigation'

export interface PlaceInfo {
  id: Place
  label: string
  /** The digit of its shortcut (Ctrl/⌘ + digit). */
  digit: string
  /** What the place is for, for its tooltip. */
  hint: string
}

export const PLACES: readonly PlaceInfo[] = [
  { id: 'classify', label: 'Classify', digit: '1', hint: 'Drop photos and see what the model says' },
  { id: 'models', label: 'Models', digit: '2', hint: 'The model library, import and the catalog' },
  {
    id: 'architecture',
    label: 'Architecture',
    digit: '3',
    hint: "The active model's stages and blocks, read from its graph",
  },
  {
    id: 'library',
    label: 'Library',
    digit: '4',
    hint: 'Every photo added, with its tags: filter, select, accept, export',
  },
  {
    id: 'review',
    label: 'Review',
    digit: '5',
    hint: "The model's suggestions, one photo at a time: A accepts, R rejects",
  },
  {
    id: 'jobs',
    label: 'Jobs',
    digit: '6',
    hint: 'Classify whole folders in the background, then sort them into class folders',
  },
]

export function placeShortcut(place: PlaceInfo): string {
  return shortcutLabel(place.digit)
}
