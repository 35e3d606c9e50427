import { BUILTIN_LABEL_LISTS } from '../../../../shared/ipc/contract'
import { ipcMessage } from '../../ipc'
import { secondaryButton } from '../../ui/buttons'
import { Spinner } from '../../ui/Spinner'
import { BUILTIN_LABEL_COUNTS, labelsName } from '../card-text'
import { pickLabels } from '../import-actions'
import { ErrorBox, RadioRow, Section } from './form-parts'
import { fitsBuiltin, type ImportForm, type ImportFormAction } from './import-form'

/** The labels dialog: the picked file (or why it could not be read) goes into the form. */
async function chooseLabelsFile(dispatch: (action: ImportFormAction) => void): Promise<void> {
  dispatch({ type: 'labels-picking' })
  try {
    dispatch({ type: 'labels-picked', file: await pickLabels() })
  } catch (error) {
    dispatch({ type: 'labels-failed', message: `The labels file could not be read: ${ipcMessage(error)}` })
  }
}

/** The model's labels: a built-in list that fits, a file, or numbers. */
export function LabelsSection({
  form,
  dispatch,
  classes,
  suggested,
  fileMismatch,
  groupId,
}: {
  form: ImportForm
  dispatch(action: ImportFormAction): void
  classes: number
  /** The built-in list the importer suggests, if any. */
  suggested: string | undefined
  fileMismatch: boolean
  groupId: string
}) {
  const { labels, labelsFile, labelsError, pickingLabels } = form
  const builtinChoices = BUILTIN_LABEL_LISTS.filter((id) => fitsBuiltin(id, classes))
  return (
    <Section title="Labels" aside={<span className="text-[11px] text-zinc-400">one per class, in output order</span>}>
      <div role="radiogroup" aria-label="Labels" className="space-y-0.5">
        {builtinChoices.map((id) => (
          <RadioRow
            key={id}
            name={`${groupId}-labels`}
            testId={`labels-builtin-${id}`}
            checked={labels.kind === 'builtin' && labels.id === id}
            onSelect={() => dispatch({ type: 'labels', labels: { kind: 'builtin', id } })}
          >
            <span className="font-medium">{labelsName(id)}</span>{' '}
            <span className="text-zinc-500">
              (built in, {BUILTIN_LABEL_COUNTS[id]?.toLocaleString('en-US')} classes)
              {suggested === id ? ' · suggested' : ''}
            </span>
          </RadioRow>
        ))}
        <RadioRow
          name={`${groupId}-labels`}
          testId="labels-file-option"
          checked={labels.kind === 'file'}
          onSelect={() => dispatch({ type: 'labels', labels: { kind: 'file' } })}
        >
          <span className="font-medium">From a file</span>{' '}
          <span className="text-zinc-500">(one label per line, or a JSON array)</span>
          <span className="mt-1.5 flex flex-wrap items-center gap-2">
            <button
              type="button"
              data-testid="choose-labels"
              onClick={() => void chooseLabelsFile(dispatch)}
              disabled={pickingLabels}
              className={`${secondaryButton} py-1`}
            >
              {pickingLabels && <Spinner className="h-3 w-3" />}
              Choose labels file…
            </button>
            {labelsFile && (
              <span
                data-testid="labels-file"
                data-count={labelsFile.labels.length}
                className={`min-w-0 truncate text-[12px] ${fileMismatch ? 'text-rose-600 dark:text-rose-400' : 'text-zinc-600 dark:text-zinc-300'}`}
                title={labelsFile.labels.slice(0, 20).join(', ')}
              >
                {labelsFile.source} · {labelsFile.labels.length.toLocaleString('en-US')} labels
                {!fileMismatch && labelsFile.labels.length > 0 && (
                  <span className="text-zinc-400"> ({labelsFile.labels.slice(0, 3).join(', ')}, …)</span>
                )}
              </span>
            )}
          </span>
        </RadioRow>
        <RadioRow
          name={`${groupId}-labels`}
          testId="labels-numbered"
          checked={labels.kind === 'numbered'}
          onSelect={() => dispatch({ type: 'labels', labels: { kind: 'numbered' } })}
        >
          <span className="font-medium">Numbers</span>{' '}
          <span className="text-zinc-500">
            (class 0 … class {(classes - 1).toLocaleString('en-US')}; when no names are known)
          </span>
        </RadioRow>
      </div>
      {labelsError && <ErrorBox testId="labels-error">{labelsError}</ErrorBox>}
      {labels.kind === 'file' && labelsFile && fileMismatch && (
        <ErrorBox testId="labels-error">
          {labelsFile.source} has {labelsFile.labels.length.toLocaleString('en-US')} labels, but the model has{' '}
          {classes.toLocaleString('en-US')} outputs. Choose a file with exactly {classes.toLocaleString('en-US')}{' '}
          labels, one per class in output order.
        </ErrorBox>
      )}
    </Section>
  )
}
