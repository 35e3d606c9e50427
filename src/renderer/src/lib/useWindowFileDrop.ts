import { useEffect, useRef, useState } from 'react'
import { dragHasFiles } from './files'

/**
 * Files dropped anywhere on the window go to `onFiles` (taken during the drop event, as they must be;
 * a dropped folder is one of them). Window listeners, so a drop never makes the browser open a file
 * in place of the app; drops while a modal dialog is open are ignored. Returns whether files are
 * being dragged over the window, for an overlay.
 */
export function useWindowFileDrop(onFiles: (files: File[]) => void): boolean {
  const [dragging, setDragging] = useState(false)
  const handler = useRef(onFiles)
  useEffect(() => {
    handler.current = onFiles
  })
  useEffect(() => {
    let depth = 0
    const onEnter = (event: DragEvent): void => {
      if (!dragHasFiles(event.dataTransfer)) return
      event.preventDefault()
      depth++
      setDragging(true)
    }
    const onOver = (event: DragEvent): void => {
      if (!dragHasFiles(event.dataTransfer)) return
      event.preventDefault()
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy'
    }
    const onLeave = (): void => {
      depth = Math.max(0, depth - 1)
      if (depth === 0) setDragging(false)
    }
    const onDrop = (event: DragEvent): void => {
      event.preventDefault()
      depth = 0
      setDragging(false)
      const files = event.dataTransfer ? [...event.dataTransfer.files] : []
      if (document.querySelector('dialog[open]')) return
      handler.current(files)
    }
    const listeners: Array<[string, (event: DragEvent) => void]> = [
      ['dragenter', onEnter],
      ['dragover', onOver],
      ['dragleave', onLeave],
      ['drop', onDrop],
    ]
    for (const [type, listener] of listeners) window.addEventListener(type, listener as EventListener)
    return () => {
      for (const [type, listener] of listeners) window.removeEventListener(type, listener as EventListener)
    }
  }, [])
  return dragging
}
