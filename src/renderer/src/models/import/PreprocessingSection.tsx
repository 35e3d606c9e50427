import type { ImportPreview } from '../../../../shared/ipc/contract'
import { inputField } from '../../ui/buttons'
import { RadioRow, Section } from './form-parts'
import { numberText, parseTriple, type ImportForm, type ImportFormAction, type Triple } from './import-form'

const CHANNELS = ['R', 'G', 'B'] as const

/** One number per colour channel (mean or standard deviation), in a row of the preprocessing grid. */
function ChannelRow({
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

/** How a photo becomes the model's input: the resize preset, the shorter side, mean, std and channel order. */
export function PreprocessingSection({
  form,
  dispatch,
  preview,
  sideProblem,
  preprocessingProblem,
  groupId,
}: {
  form: ImportForm
  dispatch(action: ImportFormAction): void
  preview: ImportPreview
  sideProblem: string | undefined
  preprocessingProblem: string | undefined
  groupId: string
}) {
  const { resize, shorterSide, colorOrder } = form
  const side = Number(shorterSide)
  const scaleText =
    Math.abs(preview.preprocessing.scale - 1 / 255) < 1e-9 ? '1/255' : numberText(preview.preprocessing.scale)
  const channelRows = [
    ['Mean', 'mean', false],
    ['Std', 'std', true],
  ] as const
  return (
    <Section
      title="Preprocessing"
      aside={<span className="text-[11px] text-zinc-400">how a photo becomes the input</span>}
    >
      <div role="radiogroup" aria-label="Preprocessing preset" className="space-y-0.5">
        <RadioRow
          name={`${groupId}-resize`}
          testId="preset-cifar"
          checked={resize === 'square-crop'}
          onSelect={() => dispatch({ type: 'resize', resize: 'square-crop' })}
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
          onSelect={() => dispatch({ type: 'resize', resize: 'shorter-side' })}
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
              onChange={(event) => dispatch({ type: 'shorter-side', value: event.currentTarget.value })}
              className={`${inputField} py-1 text-[12px] tabular-nums`}
            />
            <span className="col-span-2 text-zinc-400">px</span>
          </>
        )}
        {channelRows.map(([label, field, positive]) => (
          <ChannelRow
            key={field}
            label={label}
            values={form[field]}
            testId={`preprocess-${field}`}
            invalid={parseTriple(form[field], positive) === undefined}
            onChange={(index, value) => dispatch({ type: 'channel', field, index, value })}
          />
        ))}
        <label htmlFor={`${groupId}-order`} className="text-zinc-600 dark:text-zinc-300">
          Channels
        </label>
        <select
          id={`${groupId}-order`}
          data-testid="preprocess-color-order"
          value={colorOrder}
          onChange={(event) =>
            dispatch({ type: 'color-order', colorOrder: event.currentTarget.value === 'BGR' ? 'BGR' : 'RGB' })
          }
          className={`${inputField} py-1 text-[12px]`}
        >
          <option value="RGB">RGB</option>
          <option value="BGR">BGR</option>
        </select>
        <span className="col-span-2 text-zinc-400">pixel values × {scaleText}, then (x − mean) / std</span>
      </div>
      {preprocessingProblem && <p className="text-[11.5px] text-rose-600 dark:text-rose-400">{preprocessingProblem}</p>}
    </Section>
  )
}
