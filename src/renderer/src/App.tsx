import { useEffect, useRef } from 'react'
import { startApp } from './actions'
import { DropZone } from './components/DropZone'
import { EmptyState } from './components/EmptyState'
import { ErrorBanner } from './components/ErrorBanner'
import { NoticeToast } from './components/NoticeToast'
import { PhotoGrid } from './components/PhotoGrid'
import { Sidebar } from './components/Sidebar'
import { Toolbar } from './components/Toolbar'
import { useClassifyShortcuts } from './hooks'
import { useClassifyStore } from './store'

/** The window: the sidebar of places and the Classify screen. */
export function App() {
  const inputRef = useRef<HTMLInputElement>(null)
  const hasPhotos = useClassifyStore((s) => s.photos.length > 0)
  useEffect(startApp, [])
  useClassifyShortcuts(inputRef)

  return (
    <div className="flex h-screen overflow-hidden bg-zinc-50 text-zinc-900 antialiased dark:bg-zinc-950 dark:text-zinc-100">
      <Sidebar />
      <main className="relative flex min-w-0 flex-1 flex-col">
        <Toolbar inputRef={inputRef} />
        <ErrorBanner />
        <DropZone>{hasPhotos ? <PhotoGrid /> : <EmptyState />}</DropZone>
        <NoticeToast />
      </main>
    </div>
  )
}
