import { useEffect, useId, useRef, useState, type ReactNode } from 'react'
import {
  BUILTIN_LABEL_LISTS,
  type ImportPreview,
  type LabelsChoice,
  type PickedLabels,
} from '../../../../shared/ipc/contract'
import type { Preprocessing } from '../../../../shared/model-card'
import { ipcMessage } from '../../ipc'
import { formatMacs, formatMegabytes, formatParamCount } from '../../lib/format'
import { closeImport, pickLabels, showModel, startImport, submitImport } from '../../models/actions'
import { modelsOf, useModelsStore, type ImportState } from '../../models/store'
import { ghostButton, inputField, primaryButton, secondaryButton } from '../buttons'
import { AlertIcon, CloseIcon, FileImportIcon } from '../Icons'
import { Modal } from '../Modal'
import { Spinner } from '../Spinner'
import { BUILTIN_LABEL_COUNTS, labelsName } from './describe'
import { StageTable } from './StageTable'

type BuiltinLabels = (typeof BUILTIN_LABEL_LISTS)[number]
type LabelsMode = { kind: 'builtin'; id: BuiltinLabels } | { kind: 'file' } | { kind: 'numbered' }
type Triple = [string, string, string]

const CHANNELS = ['R', 'G', 'B'] as const

function ErrorBox({ children, testId = 'import-error' }: { children: ReactNode; testId?: string }) {
  return (
    <div
      role="alert"
      data-testid={testId}
      className="flex items-start gap-2.5 rounded-lg border border-rose-200 bg-rose-50 px-3 py-2.5 text-[12.5px] leading-snug text-rose-800 dark:border-rose-900/60 dark:bg-rose-950/40 dark:text-rose-200"
    >
      <AlertIcon className="mt-px h-4 w-4 shrink-0 text-rose-500" />
      <div className="min-w-0 break-words">{children}</div>
    </div>
  )
}

function Section({ title, children, aside }: { title: string; children: ReactNode; aside?: ReactNode }) {
  return (
    <section className="space-y-2">
      <div className="flex items-baseline justify-between gap-2">
        <h3 className="text-[11px] font-semibold tracking-[0.06em] text-zinc-500 uppercase dark:text-zinc-400">
          {title}
        </h3>
        {aside}
      </div>
      {children}
    </section>
  )
}

function Fact({ label, children, title }: { label: string; children: ReactNode; title?: string }) {
  return (
    <div className="min-w-0">
      <dt className="text-[10.5px] font-medium tracking-wide text-zinc-500 uppercase">{label}</dt>
      <dd className="text-[12.5px] font-medium text-zinc-900 tabular-nums dark:text-zinc-100" title={title}>
        {children}
      </dd>
    </div>
  )
}

/** "N×3×224×224": the input's shape as the graph declares it (named axes stay names). */
function shapeText(shape: readonly (number | string)[]): string {
  return shape.map((d) => (typeof d === 'number' && d > 0 ? String(d) : String(d) || '?')).join('×')
}

/** What the importer read from the file: input, output, size, compute and stages. */
function GraphFacts({ preview }: { preview: ImportPreview }) {
  const { graph, input, output } = preview
  return (
    <div className="space-y-3" data-testid="import-facts">
      <dl className="grid grid-cols-3 gap-x-4 gap-y-2">
        <Fact label="Input" title={`Input "${input.name}": ${shapeText(input.shape)}`}>
          <span data-testid="import-input">
            {input.width}×{input.height}
          </span>
          <span className="block truncate font-mono text-[10.5px] font-normal text-zinc-500">
            {shapeText(input.shape)}
          </span>
        </Fact>
        <Fact label="Classes" title={`Output "${output.name}"`}>
          <span data-testid="import-classes">{output.classes.toLocaleString('en-US')}</span>
          <span className="block truncate font-mono text-[10.5px] font-normal text-zinc-500">{output.name}</span>
        </Fact>
        <Fact label="Opset">{graph.opset}</Fact>
        <Fact label="Parameters" title={`${graph.params.toLocaleString('en-US')} weights`}>
          <span data-testid="import-params">{formatParamCount(graph.params)}</span>
        </Fact>
        <Fact label="Compute" title={`${Math.round(graph.macs).toLocaleString('en-US')} multiply-adds per image`}>
          <span data-testid="import-macs">{formatMacs(graph.macs)}</span>
        </Fact>
        <Fact label="Depth" title={graph.depthFormula}>
          {graph.depth ?? '–'}
        </Fact>
      </dl>
      {graph.stages.length > 0 ? (
        <StageTable graph={graph} caption="Stages read from the graph" />
      ) : (
        <p className="text-[11.5px] text-zinc-500">No ResNet stages were recognised in this graph.</p>
      )}
      <p className="text-[11px] leading-snug text-zinc-500 dark:text-zinc-400">
        {graph.architecture && <>{graph.architecture}. </>}
        {graph.depth !== undefined && (
          <>
            Depth {graph.depth}
            {graph.depthFormula ? ` = ${graph.depthFormula}` : ''} weighted layers.{' '}
          </>
        )}
        {graph.assumedInput && (
          <>
            The input size is dynamic: shapes are for {input.width}×{input.height}.{' '}
          </>
        )}
        <span title={graph.operators.join(', ')}>
          {graph.operators.length} operator {graph.operators.length === 1 ? 'type' : 'types'}
        </span>
        .
      </p>
    </div>
  )
}

function fitsBuiltin(id: BuiltinLabels, classes: number): boolean {
  return BUILTIN_LABEL_COUNTS[id] === classes
}

function initialLabels(preview: ImportPreview): LabelsMode {
  if (preview.suggestedLabels) return { kind: 'builtin', id: preview.suggestedLabels }
  const fit = BUILTIN_LABEL_LISTS.find((id) => fitsBuiltin(id, preview.output.classes))
  return fit ? { kind: 'builtin', id: fit } : { kind: 'file' }
}

const numberText = (n: number): string => String(Number(n.toFixed(6)))
const toTriple = (values: readonly [number, number, number]): Triple => [
  numberText(values[0]),
  numberText(values[1]),
  numberText(values[2]),
]

function parseTriple(values: Triple, positive: boolean): [number, number, number] | undefined {
  const parsed = values.map((v) => (v.trim() === '' ? NaN : Number(v)))
  if (parsed.some((n) => !Number.isFinite(n) || (positive && n <= 0))) return undefined
  return parsed as [number, number, number]
}

/** The default shorter side for a preset switched to ImageNet: 256 for 224 (the usual 0.875 crop). */
function defaultShorterSide(preview: ImportPreview): number {
  const side = Math.max(preview.input.height, preview.input.width)
  return preview.preprocessing.shorterSide ?? Math.max(side, Math.round((side * 256) / 224))
}

function RadioRow({
  name,
  checked,
  onSelect,
  children,
  testId,
  disabled = false,
}: {
  name: string
  checked: boolean
  onSelect(): void
  children: ReactNode
  testId?: string
  disabled?: boolean
}) {
  return (
    <label
      className={`flex cursor-pointer items-start gap-2 rounded-md px-2 py-1.5 text-[12.5px] ${checked ? 'bg-indigo-50/70 dark:bg-indigo-500/10' : 'hover:bg-zinc-50 dark:hover:bg-zinc-800/50'} ${disabled ? 'pointer-events-none opacity-50' : ''}`}
    >
      <input
        type="radio"
        name={name}
        data-testid={testId}
        checked={checked}
        disabled={disabled}
        onChange={onSelect}
        className="mt-0.5 accent-indigo-600"
      />
      <span className="min-w-0 flex-1">{children}</span>
    </label>
  )
}

/** The form: name, labels and preprocessing, prefilled with what the importer suggests. */
function PreviewForm({ state }: { state: Extract<ImportState, { step: 'preview' }> }) {
  const { preview, submitting } = state
  const classes = preview.output.classes
  const models = useModelsStore(modelsOf)
  const existing = preview.existingModelId ? models.find((m) => m.id === preview.existingModelId) : undefined
  const nameRef = useRef<HTMLInputElement>(null)
  const groupId = useId()

  const [name, setName] = useState(preview.suggestedName)
  const [labels, setLabels] = useState<LabelsMode>(() => initialLabels(preview))
  const [labelsFile, setLabelsFile] = useState<PickedLabels | null>(null)
  const [labelsError, setLabelsError] = useState<string>()
  const [pickingLabels, setPickingLabels] = useState(false)
  const [resize, setResize] = useState<Preprocessing['resize']>(preview.preprocessing.resize)
  const [shorterSide, setShorterSide] = useState(String(defaultShorterSide(preview)))
  const [mean, setMean] = useState<Triple>(() => toTriple(preview.preprocessing.mean))
  const [std, setStd] = useState<Triple>(() => toTriple(preview.preprocessing.std))
  const [colorOrder, setColorOrder] = useState<Preprocessing['colorOrder']>(preview.preprocessing.colorOrder)

  useEffect(() => {
    nameRef.current?.focus()
    nameRef.current?.select()
  }, [])

  const chooseLabelsFile = async (): Promise<void> => {
    setPickingLabels(true)
    setLabelsError(undefined)
    try {
      const picked = await pickLabels()
      if (picked) {
        setLabelsFile(picked)
        setLabels({ kind: 'file' })
      }
    } catch (error) {
      setLabelsError(`The labels file could not be read: ${ipcMessage(error)}`)
    } finally {
      setPickingLabels(false)
    }
  }

  // Validation, field by field; Import stays disabled while anything is wrong, and says what.
  const trimmed = name.trim()
  const nameProblem = trimmed === '' ? 'Give the model a name.' : undefined
  const fileMismatch = labelsFile !== null && labelsFile.labels.length !== classes
  let labelsChoice: LabelsChoice | undefined
  if (labels.kind === 'builtin' && fitsBuiltin(labels.id, classes)) labelsChoice = { kind: 'builtin', id: labels.id }
  else if (labels.kind === 'file' && labelsFile && !fileMismatch) {
    labelsChoice = { kind: 'list', source: labelsFile.source.slice(0, 300), labels: labelsFile.labels }
  } else if (labels.kind === 'numbered') {
    labelsChoice = {
      kind: 'list',
      source: 'numbered',
      labels: Array.from({ length: classes }, (_, i) => `class ${i}`),
    }
  }
  const labelsProblem = labelsChoice
    ? undefined
    : labels.kind === 'file' && !labelsFile
      ? `Choose a labels file with ${classes.toLocaleString('en-US')} labels.`
      : 'The labels do not fit the model.'
  const meanValues = parseTriple(mean, false)
  const stdValues = parseTriple(std, true)
  const minSide = Math.max(preview.input.height, preview.input.width)
  const side = Number(shorterSide)
  const sideProblem =
    resize === 'shorter-side' && (!Number.isInteger(side) || side < minSide)
      ? `The shorter side must be a whole number of at least ${minSide} px.`
      : undefined
  const preprocessingProblem = !meanValues
    ? 'Each mean must be a number.'
    : !stdValues
      ? 'Each standard deviation must be a number above 0.'
      : sideProblem
  const problem = existing
    ? `Already in the library as “${existing.name}”.`
    : (nameProblem ?? labelsProblem ?? preprocessingProblem)

  const submit = (): void => {
    if (problem || !labelsChoice || !meanValues || !stdValues || submitting) return
    void submitImport({
      token: preview.token,
      name: trimmed,
      labels: labelsChoice,
      preprocessing: {
        resize,
        ...(resize === 'shorter-side' && { shorterSide: side }),
        interpolation: 'bilinear',
        colorOrder,
        scale: preview.preprocessing.scale,
        mean: meanValues,
        std: stdValues,
      },
    })
  }

  const scaleText =
    Math.abs(preview.preprocessing.scale - 1 / 255) < 1e-9 ? '1/255' : numberText(preview.preprocessing.scale)
  const builtinChoices = BUILTIN_LABEL_LISTS.filter((id) => fitsBuiltin(id, classes))

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
              aria-invalid={nameProblem !== undefined}
              maxLength={120}
              value={name}
              onChange={(event) => setName(event.currentTarget.value)}
              className={inputField}
            />
          </Section>

          <Section
            title="Labels"
            aside={<span className="text-[11px] text-zinc-400">one per class, in output order</span>}
          >
            <div role="radiogroup" aria-label="Labels" className="space-y-0.5">
              {builtinChoices.map((id) => (
                <RadioRow
                  key={id}
                  name={`${groupId}-labels`}
                  testId={`labels-builtin-${id}`}
                  checked={labels.kind === 'builtin' && labels.id === id}
                  onSelect={() => setLabels({ kind: 'builtin', id })}
                >
                  <span className="font-medium">{labelsName(id)}</span>{' '}
                  <span className="text-zinc-500">
                    (built in, {BUILTIN_LABEL_COUNTS[id]?.toLocaleString('en-US')} classes)
                    {preview.suggestedLabels === id ? ' · suggested' : ''}
                  </span>
                </RadioRow>
              ))}
              <RadioRow
                name={`${groupId}-labels`}
                testId="labels-file-option"
                checked={labels.kind === 'file'}
                onSelect={() => setLabels({ kind: 'file' })}
              >
                <span className="font-medium">From a file</span>{' '}
                <span className="text-zinc-500">(one label per line, or a JSON array)</span>
                <span className="mt-1.5 flex flex-wrap items-center gap-2">
                  <button
                    type="button"
                    data-testid="choose-labels"
                    onClick={() => void chooseLabelsFile()}
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
                onSelect={() => setLabels({ kind: 'numbered' })}
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

          <Section
            title="Preprocessing"
            aside={<span className="text-[11px] text-zinc-400">how a photo becomes the input</span>}
          >
            <div role="radiogroup" aria-label="Preprocessing preset" className="space-y-0.5">
              <RadioRow
                name={`${groupId}-resize`}
                testId="preset-cifar"
                checked={resize === 'square-crop'}
                onSelect={() => setResize('square-crop')}
              >
                <span className="font-medium">CIFAR</span>{' '}
                <span className="text-zinc-500">
                  · centre square crop, resized to {preview.input.width}×{preview.input.height}
                </span>
              </RadioRow>
              <RadioRow
                name={`${groupId}-resize`}
                testId="preset-imagenet"
                checked={resize === 'shorter-side'}
                onSelect={() => setResize('shorter-side')}
              >
                <span className="font-medium">ImageNet</span>{' '}
                <span className="text-zinc-500">
                  · shorter side to {Number.isFinite(side) && side > 0 ? side : '…'} px, then a centre crop of{' '}
                  {preview.input.width}×{preview.input.height}
                </span>
              </RadioRow>
            </div>
            <div className="grid grid-cols-[auto_1fr_1fr_1fr] items-center gap-x-2 gap-y-1.5 pt-1 text-[12px]">
              {resize === 'shorter-side' && (
                <>
                  <label htmlFor={`${groupId}-side`} className="text-zinc-600 dark:text-zinc-300">
                    Shorter side
                  </label>
                  <input
                    id={`${groupId}-side`}
                    data-testid="preprocess-shorter-side"
                    inputMode="numeric"
                    aria-invalid={sideProblem !== undefined}
                    value={shorterSide}
                    onChange={(event) => setShorterSide(event.currentTarget.value)}
                    className={`${inputField} py-1 text-[12px] tabular-nums`}
                  />
                  <span className="col-span-2 text-zinc-400">px</span>
                </>
              )}
              {(
                [
                  ['Mean', mean, setMean, 'mean', false],
                  ['Std', std, setStd, 'std', true],
                ] as const
              ).map(([label, values, setValues, key, positive]) => (
                <FragmentRow
                  key={key}
                  label={label}
                  values={values}
                  testId={`preprocess-${key}`}
                  invalid={parseTriple(values, positive) === undefined}
                  onChange={(index, value) => {
                    const next: Triple = [...values]
                    next[index] = value
                    setValues(next)
                  }}
                />
              ))}
              <label htmlFor={`${groupId}-order`} className="text-zinc-600 dark:text-zinc-300">
                Channels
              </label>
              <select
                id={`${groupId}-order`}
                data-testid="preprocess-color-order"
                value={colorOrder}
                onChange={(event) => setColorOrder(event.currentTarget.value === 'BGR' ? 'BGR' : 'RGB')}
                className={`${inputField} py-1 text-[12px]`}
              >
                <option value="RGB">RGB</option>
                <option value="BGR">BGR</option>
              </select>
              <span className="col-span-2 text-zinc-400">pixel values × {scaleText}, then (x − mean) / std</span>
            </div>
            {preprocessingProblem && (
              <p className="text-[11.5px] text-rose-600 dark:text-rose-400">{preprocessingProblem}</p>
            )}
          </Section>

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

function FragmentRow({
  label,
  values,
  testId,
  invalid,
  onChange,
}: {
  label: string
  values: Triple
  testId: string
  invalid: boolean
  onChange(index: number, value: string): void
}) {
  return (
    <>
      <span className="text-zinc-600 dark:text-zinc-300">{label}</span>
      {values.map((value, index) => (
        <input
          key={index}
          data-testid={`${testId}-${index}`}
          aria-label={`${label} ${CHANNELS[index]}`}
          title={`${label}, ${CHANNELS[index]} channel`}
          inputMode="decimal"
          aria-invalid={invalid && (value.trim() === '' || !Number.isFinite(Number(value)))}
          value={value}
          onChange={(event) => onChange(index, event.currentTarget.value)}
          className={`${inputField} py-1 text-[12px] tabular-nums`}
        />
      ))}
    </>
  )
}

function Reading({ state }: { state: Extract<ImportState, { step: 'reading' }> }) {
  return (
    <div
      data-testid="import-reading"
      className="flex items-center gap-3 px-6 py-10 text-[13px] text-zinc-600 dark:text-zinc-300"
    >
      <Spinner className="h-5 w-5 text-indigo-500" />
      Reading the graph of {state.file.name} ({formatMegabytes(state.file.bytes)})…
    </div>
  )
}

function Failed({ state }: { state: Extract<ImportState, { step: 'failed' }> }) {
  const retryRef = useRef<HTMLButtonElement>(null)
  useEffect(() => retryRef.current?.focus(), [])
  return (
    <div className="space-y-4 px-6 py-5">
      <ErrorBox>
        <strong className="block font-semibold">
          {state.file ? 'This file cannot be imported' : 'Nothing to import'}
        </strong>
        {state.message}
      </ErrorBox>
      <p className="text-[12px] leading-relaxed text-zinc-500 dark:text-zinc-400">
        The app imports ResNet-family image classifiers saved as ONNX: one image input (N×3×H×W) and one output of class
        scores, up to 1 GiB.
      </p>
      <div className="flex justify-end gap-2">
        <button type="button" onClick={closeImport} className={secondaryButton}>
          Close
        </button>
        <button
          ref={retryRef}
          data-autofocus
          type="button"
          data-testid="import-retry"
          onClick={() => void startImport()}
          className={primaryButton}
        >
          Choose another file…
        </button>
      </div>
    </div>
  )
}

/** Import model: reading the picked file, then what it holds and the choices to confirm, or why it cannot. */
export function ImportDialog() {
  const state = useModelsStore((s) => s.importing)
  if (!state) return null
  const file = state.file
  return (
    <Modal
      testId="import-dialog"
      labelledBy="import-title"
      onClose={closeImport}
      className={state.step === 'preview' ? 'max-w-5xl' : 'max-w-lg'}
    >
      <div data-step={state.step} className="flex max-h-[calc(100vh-3rem)] flex-col">
        <header className="flex items-center gap-3 border-b border-zinc-100 px-6 py-4 dark:border-zinc-800">
          <div className="flex h-9 w-9 shrink-0 items-center justify-center rounded-lg bg-indigo-50 text-indigo-600 ring-1 ring-indigo-100 dark:bg-indigo-500/10 dark:text-indigo-300 dark:ring-indigo-400/20">
            <FileImportIcon className="h-5 w-5" />
          </div>
          <div className="min-w-0 flex-1">
            <h2 id="import-title" className="text-[15px] font-semibold text-zinc-900 dark:text-zinc-50">
              Import model
            </h2>
            {file && (
              <p className="truncate text-[12px] text-zinc-500 dark:text-zinc-400" title={file.name}>
                {file.name} · {formatMegabytes(file.bytes)}
              </p>
            )}
          </div>
          <button
            type="button"
            onClick={closeImport}
            aria-label="Close (Esc)"
            title="Close (Esc)"
            className={ghostButton}
          >
            <CloseIcon className="h-4 w-4" />
          </button>
        </header>
        {state.step === 'reading' && <Reading state={state} />}
        {state.step === 'failed' && <Failed state={state} />}
        {state.step === 'preview' && <PreviewForm key={state.preview.token} state={state} />}
      </div>
    </Modal>
  )
}
