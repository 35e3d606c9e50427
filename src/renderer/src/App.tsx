import { useEffect } from 'react'
import { startApp } from './actions'
import { ArchitectureScreen } from './components/architecture/ArchitectureScreen'
import { ClassifyScreen } from './components/ClassifyScreen'
import { ModelsScreen } from './components/models/ModelsScreen'
import { NoticeToast } from './components/NoticeToast'
import { Sidebar } from './components/Sidebar'
import { useGlobalShortcuts } from './hooks'
import { startModels } from './models/actions'
import { useNavStore } from './nav'

/** The window: the sidebar of places and the current place's screen. */
export function App() {
  const place = useNavStore((s) => s.place)
  useEffect(() => {
    startApp()
    startModels()
  }, [])
  useGlobalShortcuts()

  return (
    <div className="flex h-screen overflow-hidden bg-zinc-50 text-zinc-900 antialiased dark:bg-zinc-950 dark:text-zinc-100">
      <Sidebar />
      <main className="relative flex min-w-0 flex-1 flex-col" data-place={place}>
        {place === 'classify' ? <ClassifyScreen /> : place === 'models' ? <ModelsScreen /> : <ArchitectureScreen />}
        <NoticeToast />
      </main>
    </div>
  )
}
