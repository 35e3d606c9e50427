import { create } from 'zustand'

/** The window's places, in the sidebar's order. */
export type Place = 'classify' | 'models' | 'architecture' | 'library' | 'review' | 'jobs'

interface NavState {
  place: Place
  go(place: Place): void
}

/** Which place the window shows; any screen may send the person to another. */
export const useNavStore = create<NavState>()((set) => ({
  place: 'classify',
  go: (place) => set({ place }),
}))
