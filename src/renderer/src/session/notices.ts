import { create } from 'zustand'

export interface Notice {
  id: number
  text: string
  /** Undoes what the notice is about, when that can be undone. */
  undo?: () => void
}

interface NoticeState {
  notice: Notice | null
  show(text: string, undo?: () => void): Notice
  dismiss(): void
}

let noticeIds = 1

/** The window's one notice (the toast at the bottom): a newer one replaces it. */
export const useNoticeStore = create<NoticeState>()((set) => ({
  notice: null,
  show: (text, undo) => {
    const notice: Notice = { id: noticeIds++, text, ...(undo && { undo }) }
    set({ notice })
    return notice
  },
  dismiss: () => set({ notice: null }),
}))

/** Says something short to the person, whichever screen shows. */
export function notify(text: string): void {
  useNoticeStore.getState().show(text)
}
