import { shortcutLabel } from '../lib/format'
import { FirstStart } from '../models/FirstStart'
import { UploadIcon } from '../ui/Icons'

/**
 * What the empty Classify screen says: where to drop, and the key that opens photos; on first start, what the
 * bundled model knows and the ImageNet model to get for one's own photos.
 */
export function EmptyState() {
  return (
    <div className="flex h-full min-h-80 flex-col items-center justify-center gap-4 p-8">
      <FirstStart />
      <div className="flex w-full max-w-xl flex-col items-center rounded-2xl border-2 border-dashed border-zinc-300 px-8 py-14 text-center dark:border-zinc-700/80">
        <div className="mb-4 flex h-14 w-14 items-center justify-center rounded-2xl bg-indigo-50 text-indigo-500 ring-1 ring-indigo-100 dark:bg-indigo-500/10 dark:text-indigo-300 dark:ring-indigo-400/20">
          <UploadIcon className="h-7 w-7" />
        </div>
        <p className="text-[15px] font-semibold text-zinc-900 dark:text-zinc-100">
          Drop photos or a folder here, or press {shortcutLabel('O')}
        </p>
        <p className="mt-2 max-w-sm text-[13px] leading-relaxed text-zinc-500 dark:text-zinc-400">
          Each photo gets the model&rsquo;s five most likely classes. Everything runs on this computer; nothing is
          uploaded.
        </p>
        <p className="mt-4 text-[11.5px] text-zinc-400 dark:text-zinc-500">JPEG · PNG · WebP · GIF · BMP · AVIF</p>
      </div>
    </div>
  )
}
