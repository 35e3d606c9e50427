import type { OrganizePlanPreview } from '../../../shared/ipc/contract'
import { formatCount, formatPercent } from '../lib/format'
import { primaryButton, secondaryButton } from '../ui/buttons'
import { AlertIcon, FolderOpenIcon } from '../ui/Icons'
import { Modal } from '../ui/Modal'
import { Spinner } from '../ui/Spinner'
import { jobsOf, runsOf, useJobsStore } from './jobs-store'
import {
  closeOrganize,
  executePlan,
  pickOrganizeOut,
  previewPlan,
  runSummary,
  setOrganizeMode,
  setOrganizeThreshold,
} from './organize-actions'
import { RunProgress } from './RunHistory'

type PlanGroup = OrganizePlanPreview['groups'][number]

const FOLDER_CLASS: Record<PlanGroup['kind'], string> = {
  class: 'text-zinc-800 dark:text-zinc-100',
  uncertain: 'text-amber-700 dark:text-amber-400',
  unknown: 'text-zinc-500 italic dark:text-zinc-400',
}
const BAR_CLASS: Record<PlanGroup['kind'], string> = {
  class: 'bg-indigo-400',
  uncertain: 'bg-amber-400',
  unknown: 'bg-zinc-400 dark:bg-zinc-500',
}

function groupTitle(group: PlanGroup, threshold: number): string | undefined {
  if (group.kind === 'unknown') return 'Not one of the model’s classes, whatever its probability'
  if (group.kind === 'uncertain') return `Photos under ${formatPercent(threshold)}`
  return group.label !== null && group.label !== group.folder ? `Class “${group.label}”` : undefined
}

function stepReason(step: OrganizePlanPreview['steps'][number]): string {
  if (step.kind === 'unknown') return `unknown, closest ${formatPercent(step.p)}`
  return `${step.kind === 'uncertain' ? 'uncertain' : (step.label ?? 'uncertain')}, ${formatPercent(step.p)}`
}

function Plan({ plan }: { plan: OrganizePlanPreview }) {
  const largest = Math.max(1, ...plan.groups.map((g) => g.count))
  const unknown = plan.groups.find((g) => g.kind === 'unknown')
  const reasons = new Map<string, number>()
  for (const s of plan.skipped) reasons.set(s.reason, (reasons.get(s.reason) ?? 0) + 1)
  return (
    <section
      data-testid="organize-plan"
      data-total-steps={plan.totalSteps}
      data-skipped={plan.skippedCount}
      aria-label="Plan"
      className="space-y-3"
    >
      <p className="text-[12.5px] text-zinc-700 dark:text-zinc-200">
        {plan.mode === 'copy' ? 'Copy' : 'Move'} <strong>{formatCount(plan.totalSteps, 'photo')}</strong> into{' '}
        {formatCount(plan.groups.length, 'folder')} in <span className="break-all">{plan.out}</span>
        {plan.skippedCount > 0 ? `; ${plan.skippedCount.toLocaleString('en-US')} stay where they are` : ''}.
      </p>
      <ul className="max-h-56 space-y-1 overflow-y-auto pr-1">
        {plan.groups.map((group) => (
          <li
            key={group.folder}
            data-testid="plan-group"
            data-folder={group.folder}
            data-label={group.label ?? ''}
            data-kind={group.kind}
            data-count={group.count}
            className="grid grid-cols-[minmax(0,11rem)_1fr_3.5rem] items-center gap-3 text-[12.5px] tabular-nums"
          >
            <span className={`truncate ${FOLDER_CLASS[group.kind]}`} title={groupTitle(group, plan.threshold)}>
              {group.folder}/
            </span>
            <span className="h-1.5 overflow-hidden rounded-full bg-zinc-100 dark:bg-zinc-800">
              <span
                className={`block h-full rounded-full ${BAR_CLASS[group.kind]}`}
                style={{ width: `${(group.count / largest) * 100}%` }}
              />
            </span>
            <span className="text-right text-zinc-600 dark:text-zinc-300">{group.count.toLocaleString('en-US')}</span>
          </li>
        ))}
        {plan.groups.length === 0 && (
          <li className="text-[12.5px] text-zinc-500">Nothing to {plan.mode}: no photo of this job has a result.</li>
        )}
      </ul>
      {unknown && (
        <p
          data-testid="plan-unknown"
          data-count={unknown.count}
          className="text-[12px] text-zinc-500 dark:text-zinc-400"
        >
          <span className="font-medium text-zinc-700 dark:text-zinc-200">{unknown.folder}/</span> — not one of the
          model’s classes: {formatCount(unknown.count, 'photo')}. They get no tags; their closest class is only a hint.
        </p>
      )}
      {plan.steps.length > 0 && (
        <details className="text-[12px]">
          <summary className="cursor-pointer rounded text-zinc-600 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none dark:text-zinc-300">
            First {formatCount(plan.steps.length, 'step')}
          </summary>
          <ul className="mt-1 max-h-40 space-y-0.5 overflow-y-auto text-zinc-500 dark:text-zinc-400">
            {plan.steps.map((step) => (
              <li key={step.dest} data-testid="plan-step" className="truncate" title={`${step.source} → ${step.dest}`}>
                {step.source} → <span className="text-zinc-700 dark:text-zinc-200">{step.dest}</span> (
                {stepReason(step)})
              </li>
            ))}
          </ul>
        </details>
      )}
      {plan.skippedCount > 0 && (
        <p data-testid="plan-skipped" className="text-[12px] text-zinc-500 dark:text-zinc-400">
          Left where they are:{' '}
          {[...reasons].map(([reason, n]) => `${reason} (${n.toLocaleString('en-US')})`).join('; ')}
          {plan.skippedCount > plan.skipped.length ? '; …' : ''}
        </p>
      )}
    </section>
  )
}

/** The run the dialog started: its progress, then what it did. */
function Running({ runId }: { runId: number }) {
  const run = useJobsStore((s) => runsOf(s).find((r) => r.id === runId))
  const error = useJobsStore((s) => s.runErrors[runId])
  const progress = useJobsStore((s) => s.runProgress[runId])
  const finished = run !== undefined && run.busy === null
  return (
    <section
      data-testid="organize-running"
      data-run-id={runId}
      data-state={finished ? run.state : 'busy'}
      aria-live="polite"
      className="space-y-2"
    >
      {!finished && (
        <RunProgress run={run ?? { id: runId, busy: 'organize', mode: 'copy', total: progress?.total ?? 0 }} />
      )}
      {finished && (
        <p
          data-testid="organize-result"
          className={`text-[12.5px] ${run.state === 'done' ? 'text-emerald-700 dark:text-emerald-300' : 'text-zinc-700 dark:text-zinc-200'}`}
        >
          {run.state === 'running' ? 'Stopped. ' : ''}
          {runSummary(run)}
          {run.state === 'running' ? '. Finish it or roll it back from the job’s history.' : '.'}
        </p>
      )}
      {error && (
        <p role="alert" className="text-[12px] text-rose-600 dark:text-rose-400">
          {error}
        </p>
      )}
    </section>
  )
}

/** Organize…: output folder, threshold, copy or move; Preview; then Copy/Move files with progress. */
export function OrganizeDialog() {
  const draft = useJobsStore((s) => s.organize)
  const job = useJobsStore((s) => jobsOf(s).find((j) => j.id === s.organize?.jobId))
  if (!draft) return null
  const plan = draft.plan
  const started = draft.runId !== null
  const verb = draft.mode === 'copy' ? 'Copy files' : 'Move files'

  return (
    <Modal
      testId="organize-dialog"
      labelledBy="organize-title"
      describedBy="organize-detail"
      onClose={closeOrganize}
      className="max-w-xl"
    >
      <div className="max-h-[calc(100vh-9rem)] space-y-4 overflow-y-auto p-5">
        <div className="space-y-1">
          <h2 id="organize-title" className="text-[15px] font-semibold text-zinc-900 dark:text-zinc-50">
            Organize “{job?.folderName ?? `job ${draft.jobId}`}”
          </h2>
          <p id="organize-detail" className="text-[12.5px] leading-relaxed text-zinc-600 dark:text-zinc-300">
            Each photo goes to a folder named after its most likely class; photos the model is less sure of than the
            threshold go to <code>_uncertain</code>. Nothing is overwritten, and the run can be undone.
          </p>
        </div>

        <fieldset disabled={started} className="space-y-3">
          <div className="space-y-1">
            <span className="block text-[12px] font-medium text-zinc-700 dark:text-zinc-200">Output folder</span>
            <div className="flex min-w-0 items-center gap-2">
              <button
                type="button"
                data-testid="organize-pick-out"
                data-autofocus
                onClick={() => void pickOrganizeOut()}
                disabled={draft.picking}
                className={secondaryButton}
              >
                {draft.picking ? <Spinner className="h-3.5 w-3.5" /> : <FolderOpenIcon className="h-3.5 w-3.5" />}
                Choose folder…
              </button>
              <span
                data-testid="organize-out"
                className="min-w-0 truncate text-[12.5px] text-zinc-600 dark:text-zinc-300"
                title={draft.out?.path}
              >
                {draft.out ? draft.out.path : 'None chosen yet'}
              </span>
            </div>
          </div>

          <div className="space-y-1">
            <label
              htmlFor="organize-threshold"
              className="block text-[12px] font-medium text-zinc-700 dark:text-zinc-200"
            >
              Threshold: <span data-testid="organize-threshold-value">{draft.thresholdPercent} %</span>
            </label>
            <input
              id="organize-threshold"
              data-testid="organize-threshold"
              type="range"
              min={0}
              max={100}
              step={1}
              value={draft.thresholdPercent}
              onChange={(e) => setOrganizeThreshold(Number(e.target.value))}
              aria-valuetext={`${draft.thresholdPercent} %`}
              className="w-full accent-indigo-600"
            />
          </div>

          <div role="radiogroup" aria-label="Copy or move" className="flex gap-4 text-[12.5px]">
            {(['copy', 'move'] as const).map((mode) => (
              <label key={mode} className="flex items-start gap-2">
                <input
                  type="radio"
                  name="organize-mode"
                  data-testid={`organize-mode-${mode}`}
                  checked={draft.mode === mode}
                  onChange={() => setOrganizeMode(mode)}
                  className="mt-0.5 accent-indigo-600"
                />
                <span>
                  <span className="font-medium text-zinc-800 dark:text-zinc-100">
                    {mode === 'copy' ? 'Copy' : 'Move'}
                  </span>
                  <span className="block text-[11.5px] text-zinc-500 dark:text-zinc-400">
                    {mode === 'copy' ? 'The originals stay where they are' : 'The originals move; Undo puts them back'}
                  </span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>

        {plan.status === 'loading' && (
          <p className="flex items-center gap-2 text-[12.5px] text-zinc-500">
            <Spinner className="h-4 w-4" /> Planning…
          </p>
        )}
        {plan.status === 'error' && (
          <p
            role="alert"
            data-testid="organize-plan-error"
            className="flex items-start gap-2 rounded-lg border border-rose-200 bg-rose-50 px-3 py-2 text-[12.5px] text-rose-800 dark:border-rose-900/60 dark:bg-rose-950/40 dark:text-rose-200"
          >
            <AlertIcon className="mt-0.5 h-4 w-4 shrink-0 text-rose-500" />
            {plan.message}
          </p>
        )}
        {plan.status === 'ready' && <Plan plan={plan.data} />}
        {draft.runId !== null && <Running runId={draft.runId} />}
        {draft.error && (
          <p role="alert" data-testid="organize-error" className="text-[12.5px] text-rose-600 dark:text-rose-400">
            {draft.error}
          </p>
        )}
      </div>
      <div className="flex justify-end gap-2 border-t border-zinc-100 bg-zinc-50/70 px-5 py-3 dark:border-zinc-800 dark:bg-zinc-950/30">
        <button type="button" data-testid="organize-close" onClick={closeOrganize} className={secondaryButton}>
          {started ? 'Close' : 'Cancel'} <span className="font-normal text-zinc-400">Esc</span>
        </button>
        {!started && (
          <button
            type="button"
            data-testid="organize-preview"
            onClick={() => void previewPlan()}
            disabled={draft.out === null || plan.status === 'loading'}
            className={plan.status === 'ready' ? secondaryButton : primaryButton}
          >
            Preview
          </button>
        )}
        {!started && (
          <button
            type="button"
            data-testid="organize-execute"
            onClick={() => void executePlan()}
            disabled={plan.status !== 'ready' || plan.data.totalSteps === 0 || draft.starting}
            className={primaryButton}
          >
            {draft.starting && <Spinner className="h-3.5 w-3.5" />}
            {verb}
          </button>
        )}
      </div>
    </Modal>
  )
}
