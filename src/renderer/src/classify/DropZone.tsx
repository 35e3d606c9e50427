import { useEffect, useRef, useState, type ReactNode } from 'react'
import { collectDroppedFiles, dragHasFiles, type CollectedFiles } from '../lib/files'
import { importDropped } from '../models/import-actions'
import { useNavStore } from '../session/navigation'
import { UploadIcon } from '../ui/Icons'
import { addFiles } from './classify-actions'

/** Photos are classified here; a model file dropped with them goes to the Models screen's import. */
function routeDrop(collected: CollectedFiles): void {
  const isModel = (name: string): boolean => /\.onnx$/i.test(name)
  const models = collected.files.filter(({ file }) => isModel(file.name)).map(({ file }) => file)
  if (models.length > 0) {
    useNavStore.getState().go('models')
    void importDropped(models)
  }
  const photos = collected.files.filter(({ file }) => !isModel(file.name))
  if (photos.length > 0 || models.length === 0) addFiles({ ...collected, files: photos })
}

/**
 * The screen's main area; photos and folders can be dropped on it or anywhere else on the window.
 * Native listeners (not React's delegated ones) so a drop is seen even when its event does not bubble;
 * each event is handled once, whether the zone or the window sees it first.
 */
export function DropZone({ children }: { children: ReactNode }) {
  const zoneRef = useRef<HTMLDivElement>(null)
  const [dragging, setDragging] = useState(false)

  useEffect(() => {
    const zone = zoneRef.current
    if (!zone) return
    const seen = new WeakSet<Event>()
    let depth = 0
    const once =
      (handler: (event: DragEvent) => void) =>
      (event: DragEvent): void => {
        if (seen.has(event)) return
        seen.add(event)
        handler(event)
      }

    const onEnter = once((event) => {
      if (!dragHasFiles(event.dataTransfer)) return
      event.preventDefault()
      depth++
      setDragging(true)
    })
    const onOver = once((event) => {
      if (!dragHasFiles(event.dataTransfer)) return
      event.preventDefault()
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy'
    })
    const onLeave = once(() => {
      depth = Math.max(0, depth - 1)
      if (depth === 0) setDragging(false)
    })
    const onDrop = once((event) => {
      // Never let the browser open a dropped file in place of the app.
      event.preventDefault()
      depth = 0
      setDragging(false)
      if (!event.dataTransfer) return
      // The entries must be taken now, during the event; the walk itself is asynchronous.
      void collectDroppedFiles(event.dataTransfer).then(routeDrop)
    })

    const targets: EventTarget[] = [zone, window]
    const listeners: Array<[string, (event: DragEvent) => void]> = [
      ['dragenter', onEnter],
      ['dragover', onOver],
      ['dragleave', onLeave],
      ['drop', onDrop],
    ]
    for (const target of targets) {
      for (const [type, listener] of listeners) target.addEventListener(type, listener as EventListener)
    }
    return () => {
      for (const target of targets) {
        for (const [type, listener] of listeners) target.removeEventListener(type, listener as EventListener)
      }
    }
  }, [])

  return (
    <div
      ref={zoneRef}
      data-testid="drop-zone"
      data-dragging={dragging}
      className="relative min-h-0 flex-1 overflow-y-auto"
    >
      {children}
      {dragging && (
        <div className="pointer-events-none fixed inset-0 z-40 flex items-center justify-center bg-indigo-500/10 p-4 backdrop-blur-[2px] dark:bg-indigo-400/10">
          <div className="flex h-full w-full flex-col items-center justify-center gap-3 rounded-2xl border-2 border-dashed border-indigo-400 bg-white/70 text-indigo-700 dark:border-indigo-400/70 dark:bg-zinc-950/70 dark:text-indigo-200">
            <UploadIcon className="h-10 w-10" />
            <p className="text-[15px] font-semibold">Drop to classify</p>
            <p className="text-[12.5px] text-indigo-600/80 dark:text-indigo-300/80">
              Photos and folders (searched recursively)
            </p>
          </div>
        </div>
      )}
    </div>
  )
}
