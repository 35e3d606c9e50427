import { useEffect, useId, useRef } from 'react'
import { formatImagesPerSecond } from '../lib/format'
import { ghostButton, primaryButton, secondaryButton } from '../ui/buttons'
import { AlertIcon, FolderOpenIcon } from '../ui/Icons'
import { Spinner } from '../ui/Spinner'
import {
  buildProfile,
  cancelProfileBuild,
  closeProfilePanel,
  deleteProfile,
  loadKnowledge,
  pickProfileFolder,
  setLabelsFromFolders,
  useKnowledgeStore,
  type ProfileBuildState,
} from './knowledge'
import { knowledgeSentence, refusal } from './knowledge-text'

function BuildPanel({ modelId, build }: { modelId: string; build: ProfileBuildState }) {
  const checkboxId = useId()
  const startRef = useRef<HTMLButtonElement>(null)
  const folderToken = build.step === 'ready' ? build.folder.token : undefined
  // A folder was just picked: the keyboard goes on from Build.
  useEffect(() => {
    if (folderToken !== undefined) startRef.current?.focus()
  }, [folderToken])
  if (build.step === 'running') {
    const { progress } = build
    const fitting = progress.phase === 'fitting'
    const share = progress.total > 0 ? Math.min(1, progress.done / progress.total) : 0
    return (
      <div data-testid="profile-progress" data-phase={progress.phase} className="mt-2 space-y-1.5">
        <div className="flex items-center gap-2">
          <p data-testid="profile-progress-text" className="min-w-0 flex-1 tabular-nums" aria-live="polite">
            {fitting
              ? `Fitting the profile to ${progress.done.toLocaleString('en-US')} photos…`
              : `Reading photos: ${progress.done.toLocaleString('en-US')} of ${progress.total.toLocaleString('en-US')}` +
                (progress.imagesPerSecond > 0
                  ? ` · ${formatImagesPerSecond(progress.imagesPerSecond)}`
                  : ' · starting…')}
          </p>
          <button
            type="button"
            data-testid="cancel-profile"
            disabled={build.cancelling}
            onClick={() => void cancelProfileBuild(modelId)}
            title="Stop; nothing is written"
            className={`${secondaryButton} shrink-0 px-2 py-1 text-[11.5px]`}
          >
            {build.cancelling ? 'Cancelling…' : 'Cancel'}
          </button>
        </div>
        <div
          role="progressbar"
          aria-label="Building the knowledge profile"
          aria-valuemin={0}
          aria-valuemax={progress.total}
          aria-valuenow={progress.done}
          className="h-1.5 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-700"
        >
          <div
            className={`h-full rounded-full transition-[width] duration-300 ${fitting ? 'animate-pulse bg-emerald-500' : 'bg-indigo-500'}`}
            style={{ width: `${(fitting ? 1 : share) * 100}%` }}
          />
        </div>
      </div>
    )
  }
  const error = 'error' in build ? build.error : undefined
  return (
    <div data-testid="profile-panel" className="mt-2 space-y-2">
      {build.step === 'ready' && (
        <>
          <p className="flex min-w-0 items-center gap-1.5">
            <FolderOpenIcon className="h-3.5 w-3.5 shrink-0 text-zinc-400" />
            <span
              data-testid="profile-folder"
              className="truncate font-medium text-zinc-800 dark:text-zinc-100"
              title={build.folder.path}
            >
              {build.folder.name}
            </span>
            <button
              type="button"
              onClick={() => void pickProfileFolder(modelId)}
              className={`${ghostButton} shrink-0 px-1.5 py-0.5 text-[11px]`}
            >
              Change…
            </button>
          </p>
          <div className="flex items-start gap-2">
            <input
              id={checkboxId}
              type="checkbox"
              data-testid="labels-from-folders"
              checked={build.labelsFromFolders}
              onChange={(event) => setLabelsFromFolders(modelId, event.target.checked)}
              aria-describedby={`${checkboxId}-hint`}
              className="mt-0.5 h-3.5 w-3.5 rounded border-zinc-300 accent-indigo-600 focus-visible:ring-2 focus-visible:ring-indigo-500"
            />
            <label htmlFor={checkboxId} className="min-w-0">
              <span className="font-medium text-zinc-800 dark:text-zinc-100">Folder names are the classes</span>
              <span id={`${checkboxId}-hint`} className="block text-zinc-500 dark:text-zinc-400">
                A photo in a folder named like one of the model&rsquo;s classes counts as that class; the others as the
                model&rsquo;s own best guess.
              </span>
            </label>
          </div>
        </>
      )}
      {error && (
        <p
          role="alert"
          data-testid="profile-error"
          className="flex items-start gap-1.5 text-[11.5px] leading-snug text-rose-700 dark:text-rose-300"
        >
          <AlertIcon className="mt-px h-3.5 w-3.5 shrink-0 text-rose-500" />
          <span className="min-w-0 break-words">{error}</span>
        </p>
      )}
      <div className="flex flex-wrap items-center gap-1.5">
        {build.step === 'ready' ? (
          <button
            ref={startRef}
            type="button"
            data-testid="start-profile"
            disabled={build.starting}
            onClick={() => void buildProfile(modelId)}
            className={`${primaryButton} px-2 py-1 text-[11.5px]`}
          >
            {build.starting && <Spinner className="h-3.5 w-3.5" />}
            Build profile
          </button>
        ) : build.step === 'failed' ? (
          <button
            type="button"
            onClick={() => void pickProfileFolder(modelId)}
            className={`${secondaryButton} px-2 py-1 text-[11.5px]`}
          >
            Choose a folder…
          </button>
        ) : (
          <span className="inline-flex items-center gap-1.5 text-zinc-500">
            <Spinner className="h-3.5 w-3.5" /> Choose a folder of photos of what the model should know…
          </span>
        )}
        {build.step !== 'picking' && (
          <button
            type="button"
            data-testid="close-profile-panel"
            onClick={() => closeProfilePanel(modelId)}
            className={`${ghostButton} px-2 py-1 text-[11.5px]`}
          >
            {build.step === 'failed' ? 'Close' : 'Cancel'}
          </button>
        )}
      </div>
    </div>
  )
}

/**
 * How the model tells "unknown": its knowledge profile (how many photos it was built from, when, how much of
 * what the model knows it keeps) or the logit-only fallback, and building a profile from a folder of photos.
 */
export function KnowledgeRow({ modelId }: { modelId: string }) {
  const state = useKnowledgeStore((s) => s.views[modelId])
  const build = useKnowledgeStore((s) => s.builds[modelId])
  useEffect(() => {
    void loadKnowledge(modelId)
  }, [modelId])
  // When the panel closes with the focus in it (gone with it), the focus returns to the row's button.
  const buttonRef = useRef<HTMLButtonElement>(null)
  const hadPanel = useRef(false)
  useEffect(() => {
    if (build) {
      hadPanel.current = true
      return
    }
    if (hadPanel.current && (document.activeElement === null || document.activeElement === document.body)) {
      buttonRef.current?.focus()
    }
    hadPanel.current = false
  }, [build])

  const view = state?.status === 'ready' ? state.view : undefined
  const source = view?.source ?? ''
  const refused = view !== undefined && refusal(view.note) !== undefined
  return (
    <div
      data-testid="knowledge"
      data-source={source}
      data-refused={refused ? 'true' : 'false'}
      className={`rounded-lg px-2.5 py-2 text-[11.5px] leading-snug ${
        source === 'profile'
          ? 'bg-emerald-50 text-emerald-900 dark:bg-emerald-500/10 dark:text-emerald-100'
          : refused
            ? 'bg-amber-50 text-amber-900 dark:bg-amber-500/10 dark:text-amber-100'
            : 'bg-zinc-50 text-zinc-600 dark:bg-zinc-800/50 dark:text-zinc-300'
      }`}
    >
      <div className="flex items-start gap-2">
        <p className="min-w-0 flex-1">
          <span className="font-medium text-zinc-800 dark:text-zinc-100">Knowledge: </span>
          <span data-testid="knowledge-text">
            {state === undefined || state.status === 'loading'
              ? 'reading the profile…'
              : state.status === 'error'
                ? `the profile could not be read (${state.message})`
                : knowledgeSentence(state.view)}
          </span>
        </p>
        {view && build === undefined && !view.building && (
          <span className="flex shrink-0 items-center gap-1">
            {view.userBuilt && (
              <button
                type="button"
                data-testid="delete-profile"
                onClick={() => void deleteProfile(modelId)}
                title="Delete the profile built here (a profile shipped with the model, if any, is used again)"
                className={`${ghostButton} px-2 py-1 text-[11.5px]`}
              >
                Delete profile
              </button>
            )}
            <button
              ref={buttonRef}
              type="button"
              data-testid="build-profile"
              onClick={() => void pickProfileFolder(modelId)}
              title="Build a profile from a folder of photos of what this model should know (run on the CPU)"
              className={`${secondaryButton} px-2 py-1 text-[11.5px]`}
            >
              {view.source === 'profile' ? 'Rebuild…' : 'Build profile…'}
            </button>
          </span>
        )}
      </div>
      {build && <BuildPanel modelId={modelId} build={build} />}
    </div>
  )
}
