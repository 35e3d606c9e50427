import { useEffect, useId, useReducer, useRef } from 'react'
import { modelsOf, useSessionStore } from '../../session/session-store'
import { inputField, primaryButton, secondaryButton } from '../../ui/buttons'
import { Spinner } from '../../ui/Spinner'
import { closeImport, submitImport } from '../import-actions'
import { showModel } from '../models-actions'
import type { ImportState } from '../models-store'
import { ErrorBox, Section } from './form-parts'
import { GraphFacts } from './GraphFacts'
import { checkImportForm, importFormReducer, initialImportForm } from './import-form'
import { LabelsSection } from './LabelsSection'
import { PreprocessingSection } from './PreprocessingSection'

/** The form: name, labels and preprocessing, prefilled with what the importer suggests. */
export function PreviewForm({ state }: { state: Extract<ImportState, { step: 'preview' }> }) {
  const { preview, submitting } = state
  const models = useSessionStore(modelsOf)
  const existing = preview.existingModelId ? models.find((m) => m.id === preview.existingModelId) : undefined
  const nameRef = useRef<HTMLInputElement>(null)
  const groupId = useId()
  const [form, dispatch] = useReducer(importFormReducer, preview, initialImportForm)

  useEffect(() => {
    nameRef.current?.focus()
    nameRef.current?.select()
  }, [])

  // Validation, field by field; Import stays disabled while anything is wrong, and says what.
  const check = checkImportForm(form, preview)
  const problem = existing ? `Already in the library as “${existing.name}”.` : check.problem

  const submit = (): void => {
    if (problem || !check.request || submitting) return
    void submitImport(check.request)
  }

  return (
    <form
      className="flex min-h-0 flex-1 flex-col"
      onSubmit={(event) => {
        event.preventDefault()
        submit()
      }}
    >
      <div className="grid min-h-0 flex-1 grid-cols-1 gap-6 overflow-y-auto px-6 py-5 md:grid-cols-[minmax(0,1.1fr)_minmax(0,1fr)]">
        <Section title="What the file holds">
          <GraphFacts preview={preview} />
        </Section>

        <div className="space-y-5">
          {existing && (
            <div
              data-testid="import-existing"
              className="rounded-lg border border-amber-200 bg-amber-50 px-3 py-2.5 text-[12.5px] leading-snug text-amber-900 dark:border-amber-500/30 dark:bg-amber-500/10 dark:text-amber-100"
            >
              This file is already in the library as <strong>“{existing.name}”</strong>; importing it again would add
              nothing.{' '}
              <button
                type="button"
                onClick={() => {
                  closeImport()
                  showModel(existing.id)
                }}
                className="font-semibold text-amber-800 underline underline-offset-2 hover:text-amber-950 focus-visible:ring-2 focus-visible:ring-amber-500 focus-visible:outline-none dark:text-amber-200"
              >
                Show it
              </button>
            </div>
          )}

          <Section title="Name">
            <input
              ref={nameRef}
              data-testid="import-name"
              aria-label="Model name"
              aria-invalid={check.nameProblem !== undefined}
              maxLength={120}
              value={form.name}
              onChange={(event) => dispatch({ type: 'name', name: event.currentTarget.value })}
              className={inputField}
            />
          </Section>

          <LabelsSection
            form={form}
            dispatch={dispatch}
            classes={preview.output.classes}
            suggested={preview.suggestedLabels}
            fileMismatch={check.fileMismatch}
            groupId={groupId}
          />

          <PreprocessingSection
            form={form}
            dispatch={dispatch}
            preview={preview}
            sideProblem={check.sideProblem}
            preprocessingProblem={check.preprocessingProblem}
            groupId={groupId}
          />

          {state.error && <ErrorBox>The model was not imported: {state.error}</ErrorBox>}
        </div>
      </div>

      <footer className="flex items-center gap-3 border-t border-zinc-100 bg-zinc-50/70 px-6 py-3 dark:border-zinc-800 dark:bg-zinc-950/30">
        <p data-testid="import-hint" className="min-w-0 flex-1 truncate text-[12px] text-zinc-500 dark:text-zinc-400">
          {problem ?? 'The file is copied into the library; the original stays where it is.'}
        </p>
        <button type="button" onClick={closeImport} disabled={submitting} className={secondaryButton}>
          Cancel <span className="font-normal text-zinc-400">Esc</span>
        </button>
        <button
          type="submit"
          data-testid="import-confirm"
          disabled={problem !== undefined || submitting}
          className={primaryButton}
        >
          {submitting && <Spinner className="h-3.5 w-3.5" />}
          {submitting ? 'Importing…' : 'Import'}
        </button>
      </footer>
    </form>
  )
}
