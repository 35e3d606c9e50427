import { changePreference, retryModel } from '../session/active-model'
import { useSessionStore } from '../session/session-store'
import { Alert } from '../ui/Alert'

/** Says clearly when the model cannot be read or its session cannot start, and offers a way out. */
export function ModelErrorBanner() {
  const model = useSessionStore((s) => s.model)
  const engine = useSessionStore((s) => s.engine)
  const preference = useSessionStore((s) => s.preference)

  let title: string | undefined
  let detail = ''
  if (model.status === 'error') {
    title = 'The model could not be loaded'
    detail = model.message
  } else if (engine.status === 'error') {
    title = 'The model could not be loaded'
    detail = engine.message
  }
  if (!title) return null

  return (
    <Alert testId="model-error" title={title} message={detail} className="mx-5 mt-4">
      <div className="flex shrink-0 gap-2">
        {engine.status === 'error' && preference !== 'auto' && (
          <button
            type="button"
            onClick={() => changePreference('auto')}
            className="rounded-md px-2.5 py-1 text-[12.5px] font-medium text-rose-800 hover:bg-rose-100 focus-visible:ring-2 focus-visible:ring-rose-500 focus-visible:outline-none dark:text-rose-100 dark:hover:bg-rose-900/50"
          >
            Use Auto
          </button>
        )}
        <button
          type="button"
          onClick={retryModel}
          className="rounded-md bg-rose-600 px-2.5 py-1 text-[12.5px] font-medium text-white hover:bg-rose-500 focus-visible:ring-2 focus-visible:ring-rose-500 focus-visible:ring-offset-2 focus-visible:outline-none dark:ring-offset-zinc-950"
        >
          Try again
        </button>
      </div>
    </Alert>
  )
}
