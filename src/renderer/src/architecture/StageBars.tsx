import type { Architecture } from '../../../shared/ipc/contract'
import { formatMacs, formatParamCount, formatPercent } from '../lib/format'
import { stageColour, stageNames } from './stage-text'

/** A share with one decimal; "<0.1 %" for the tiny ones (the classifier's compute). */
function share(part: number, total: number): string {
  const p = part / total
  return p > 0 && p < 0.0005 ? '<0.1 %' : formatPercent(p)
}

interface Segment {
  name: string
  label: string
  colour: string
  value: number
}

function Bar({
  id,
  title,
  segments,
  total,
  format,
}: {
  id: string
  title: string
  segments: Segment[]
  total: number
  format(n: number): string
}) {
  return (
    <div data-testid={`arch-bar-${id}`} className="space-y-1">
      <div className="flex items-baseline justify-between text-[11.5px]">
        <span className="font-medium text-zinc-700 dark:text-zinc-300">{title}</span>
        <span className="text-zinc-500 tabular-nums dark:text-zinc-400">{format(total)}</span>
      </div>
      <div
        className="flex h-3.5 overflow-hidden rounded-md bg-zinc-100 ring-1 ring-zinc-200/70 dark:bg-zinc-800 dark:ring-zinc-700/60"
        role="img"
        aria-label={`${title} by stage: ${segments
          .filter((s) => s.value > 0)
          .map((s) => `${s.label} ${share(s.value, total)}`)
          .join(', ')}`}
      >
        {segments.map((s) =>
          s.value > 0 ? (
            <div
              key={s.name}
              data-stage-name={s.name}
              title={`${s.label}: ${format(s.value)} (${share(s.value, total)})`}
              className={`${s.colour} h-full border-r border-white/70 last:border-r-0 dark:border-zinc-900/70`}
              style={{ width: `${(s.value / total) * 100}%` }}
            />
          ) : null,
        )}
      </div>
    </div>
  )
}

/**
 * Where the compute and the weights are: one bar each, split by stage. The compute is spread about
 * evenly over the residual stages (each halves the map and doubles the channels); the weights sit in
 * the last ones.
 */
export function StageBars({ arch }: { arch: Architecture }) {
  let residualIndex = 0
  const segments = arch.stages.map((stage) => ({
    name: stage.name,
    label: stageNames(stage).paper,
    colour: stageColour(stage, stage.kind === 'residual' ? residualIndex++ : 0),
    macs: stage.macs,
    params: stage.params,
  }))
  const totalMacs = segments.reduce((n, s) => n + s.macs, 0) || 1
  const totalParams = segments.reduce((n, s) => n + s.params, 0) || 1
  const shown = segments.filter((s) => s.macs > 0 || s.params > 0)
  return (
    <section
      aria-labelledby="arch-bars-heading"
      data-testid="arch-bars"
      className="space-y-3 rounded-xl border border-zinc-200 bg-white p-4 shadow-[0_1px_2px_rgba(0,0,0,0.04)] dark:border-zinc-800 dark:bg-zinc-900"
    >
      <h3 id="arch-bars-heading" className="text-[13px] font-semibold text-zinc-900 dark:text-zinc-50">
        Where the compute and the weights are
      </h3>
      <Bar
        id="macs"
        title="Multiply-adds"
        segments={segments.map((s) => ({ ...s, value: s.macs }))}
        total={totalMacs}
        format={formatMacs}
      />
      <Bar
        id="params"
        title="Parameters"
        segments={segments.map((s) => ({ ...s, value: s.params }))}
        total={totalParams}
        format={formatParamCount}
      />
      <ul className="flex flex-wrap gap-x-3 gap-y-1 pt-0.5 text-[11px] text-zinc-500 dark:text-zinc-400">
        {shown.map((s) => (
          <li key={s.name} className="flex items-center gap-1.5">
            <span className={`h-2 w-2 rounded-sm ${s.colour}`} aria-hidden="true" />
            <span className="font-mono">{s.label}</span>
            <span className="tabular-nums">{share(s.macs, totalMacs)}</span>
          </li>
        ))}
      </ul>
      <p className="text-[11.5px] leading-snug text-zinc-500 dark:text-zinc-400">
        Each residual stage halves the map and doubles the channels, so the compute stays about even from stage to stage
        while the weights pile up at the end. Percentages are shares of the multiply-adds.
      </p>
    </section>
  )
}
