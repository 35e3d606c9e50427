import { useEffect } from 'react'
import { shortcutLabel } from '../lib/format'
import { useNoticeStore } from '../session/notices'
import { CloseIcon } from '../ui/Icons'

/** Plain notices fade after this long; undo notices stay as long as their undo is possible. */
const NOTICE_MS = 8_000

/** A short message at the bottom of the window, with Undo when the last action can be undone. */
export function NoticeToast() {
  const notice = useNoticeStore((s) => s.notice)
  const dismiss = useNoticeStore((s) => s.dismiss)

  useEffect(() => {
    if (!notice || notice.undo) return
    const timer = setTimeout(dismiss, NOTICE_MS)
    return () => clearTimeout(timer)
  }, [notice, dismiss])

  if (!notice) return null
  return (
    <div className="pointer-events-none absolute inset-x-0 bottom-5 z-30 flex justify-center px-4">
      <div
        role="status"
        data-testid="notice"
        className="pointer-events-auto flex max-w-2xl items-center gap-3 rounded-xl bg-zinc-900 py-2 pr-2 pl-4 text-[13px] text-zinc-100 shadow-lg ring-1 ring-black/10 dark:bg-zinc-100 dark:text-zinc-900"
      >
        <span className="min-w-0">{notice.text}</span>
        {notice.undo && (
          <button
            type="button"
            onClick={notice.undo}
            title={`Undo (${shortcutLabel('Z')})`}
            className="shrink-0 rounded-md px-2 py-1 font-semibold text-indigo-300 hover:bg-white/10 focus-visible:ring-2 focus-visible:ring-indigo-400 focus-visible:outline-none dark:text-indigo-600 dark:hover:bg-zinc-900/10"
          >
            Undo <span className="font-normal opacity-70">{shortcutLabel('Z')}</span>
          </button>
        )}
        <button
          type="button"
          onClick={dismiss}
          aria-label="Dismiss"
          className="shrink-0 rounded-md p-1 text-zinc-400 hover:bg-white/10 hover:text-zinc-100 focus-visible:ring-2 focus-visible:ring-indigo-400 focus-visible:outline-none dark:text-zinc-500 dark:hover:bg-zinc-900/10 dark:hover:text-zinc-900"
        >
          <CloseIcon className="h-4 w-4" />
        </button>
      </div>
    </div>
  )
}
