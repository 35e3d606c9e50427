import { useEffect } from 'react'
import { ArchitectureScreen } from '../architecture/ArchitectureScreen'
import { startClassify } from '../classify/classify-actions'
import { ClassifyScreen } from '../classify/ClassifyScreen'
import { startJobs } from '../jobs/jobs-actions'
import { JobsScreen } from '../jobs/JobsScreen'
import { startLibrary } from '../library/library-events'
import { LibraryScreen } from '../library/LibraryScreen'
import { startModels } from '../models/models-actions'
import { ModelsScreen } from '../models/ModelsScreen'
import { startReview } from '../review/review-actions'
import { ReviewScreen } from '../review/ReviewScreen'
import { startSession } from '../session/active-model'
import { startBatchResponder } from '../session/batch-responder'
import { useNavStore, type Place } from '../session/navigation'
import { startWebgpuResponder } from '../session/webgpu-responder'
import { useGlobalShortcuts } from './global-shortcuts'
import { NoticeToast } from './NoticeToast'
import { Sidebar } from './Sidebar'

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
    startSession()
    startClassify()
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
