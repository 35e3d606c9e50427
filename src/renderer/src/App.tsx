import { useEffect } from 'react'
import { startApp } from './actions'
import { ArchitectureScreen } from './components/architecture/ArchitectureScreen'
import { ClassifyScreen } from './components/ClassifyScreen'
import { JobsScreen } from './components/jobs/JobsScreen'
import { LibraryScreen } from './components/library/LibraryScreen'
import { ModelsScreen } from './components/models/ModelsScreen'
import { NoticeToast } from './components/NoticeToast'
import { ReviewScreen } from './components/review/ReviewScreen'
import { Sidebar } from './components/Sidebar'
import { startBatchResponder } from './engine/batch-responder'
import { startWebgpuResponder } from './engine/webgpu-measure'
import { useGlobalShortcuts } from './hooks'
import { startJobs } from './jobs/actions'
import { startLibrary } from './library/actions'
import { startModels } from './models/actions'
import { useNavStore, type Place } from './nav'
import { startReview } from './review/actions'

function Screen({ place }: { place: Place }) {
  switch (place) {
    case 'classify':
      return <ClassifyScreen />
    case 'models':
      return <ModelsScreen />
    case 'architecture':
      return <ArchitectureScreen />
    case 'library':
      return <LibraryScreen />
    case 'review':
      return <ReviewScreen />
    case 'jobs':
      return <JobsScreen />
  }
}

/** The window: the sidebar of places and the current place's screen. */
export function App() {
  const place = useNavStore((s) => s.place)
  useEffect(() => {
    startApp()
    startModels()
    startLibrary()
    startReview()
    startJobs()
    startWebgpuResponder()
    startBatchResponder()
  }, [])
  useGlobalShortcuts()

  return (
    <div className="flex h-screen overflow-hidden bg-zinc-50 text-zinc-900 antialiased dark:bg-zinc-950 dark:text-zinc-100">
      <Sidebar />
      <main className="relative flex min-w-0 flex-1 flex-col" data-place={place}>
        <Screen place={place} />
        <NoticeToast />
      </main>
    </div>
  )
}
