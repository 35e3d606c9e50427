/** The engine preference the person chose, kept in the window's local storage across restarts. */
import { isEnginePreference, type EnginePreference } from '../engine/messages'

const PREFERENCE_KEY = 'resnet-lens.engine'

export function readStoredPreference(): EnginePreference {
  try {
    const stored = localStorage.getItem(PREFERENCE_KEY)
    return isEnginePreference(stored) ? stored : 'auto'
  } catch {
    return 'auto'
  }
}

export function storePreference(preference: EnginePreference): void {
  try {
    localStorage.setItem(PREFERENCE_KEY, preference)
  } catch {
    // Storage may be unavailable (private mode): the choice lasts for this session only.
  }
}
