import { iconButton } from './buttons'
import { ChevronIcon } from './Icons'

/** A viewer's previous and next photo buttons (← and →). */
export function StepButtons({
  onStep,
  atStart,
  atEnd,
  testIdPrefix,
}: {
  onStep: (delta: -1 | 1) => void
  atStart: boolean
  atEnd: boolean
  /** Test ids `${prefix}-previous` and `${prefix}-next`. */
  testIdPrefix?: string
}) {
  const steps = [
    { delta: -1, name: 'previous', label: 'Previous photo', key: 'ArrowLeft', arrow: '←', disabled: atStart },
    { delta: 1, name: 'next', label: 'Next photo', key: 'ArrowRight', arrow: '→', disabled: atEnd },
  ] as const
  return steps.map((step) => (
    <button
      key={step.name}
      type="button"
      data-testid={testIdPrefix && `${testIdPrefix}-${step.name}`}
      onClick={() => onStep(step.delta)}
      disabled={step.disabled}
      title={`${step.label} (${step.arrow})`}
      aria-label={step.label}
      aria-keyshortcuts={step.key}
      className={iconButton}
    >
      <ChevronIcon className={step.delta < 0 ? 'h-4 w-4 rotate-180' : 'h-4 w-4'} />
    </button>
  ))
}
