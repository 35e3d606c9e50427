import { useEffect, useRef } from 'react'
import { formatPercent } from '../lib/format'
import { DIVERGING, lutColour, TURBO, type Lut } from '../lib/heatmap'
import { EyeIcon } from '../ui/Icons'
import { Kbd } from '../ui/Kbd'
import { camView, type ClassOption } from './cam'
import type { ActivationsResult, CamSettings } from './detail-store'
import { describeTap } from './tap-labels'

const selectClass =
  'min-w-0 flex-1 rounded-md border border-zinc-200 bg-white py-1 pr-6 pl-2 text-[12.5px] text-zinc-800 hover:border-zinc-300 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none disabled:opacity-50 dark:border-zinc-700 dark:bg-zinc-800/80 dark:text-zinc-100'

function LegendStrip({ lut }: { lut: Lut }) {
  const ref = useRef<HTMLCanvasElement>(null)
  useEffect(() => {
    const canvas = ref.current
    const context = canvas?.getContext('2d')
    if (!canvas || !context) return
    for (let x = 0; x < canvas.width; x++) {
      context.fillStyle = lutColour(lut, x / (canvas.width - 1))
      context.fillRect(x, 0, 1, canvas.height)
    }
  }, [lut])
  return <canvas ref={ref} width={128} height={1} className="h-2 w-full rounded-full" aria-hidden="true" />
}

function fixed(v: number): string {
  return (Math.abs(v) < 0.005 ? 0 : v).toFixed(2)
}

interface Props {
  result: ActivationsResult
  options: ClassOption[]
  classA: number
  settings: CamSettings
  onChange(change: Partial<CamSettings>): void
}

/**
 * The class activation map's settings: which class (the top one first), "and not" another class
 * (CAM(A) − CAM(B), in diverging colours), the overlay's opacity; and how the map adds up to the logit.
 */
export function CamControls({ result, options, classA, settings, onChange }: Props) {
  const compare = settings.compareWith !== null && settings.compareWith !== classA ? settings.compareWith : null
  const view = camView(result, classA, compare)
  const labelOf = (index: number): string => result.labels[index] ?? `class ${index}`
  const feature = result.cam ? describeTap(result.cam.stage, result.architecture).paper : ''
  const channels = result.architecture.head?.channels ?? 0
  const optionText = (o: ClassOption): string => `${o.label} · ${formatPercent(o.p)}`

  return (
    <section data-testid="cam-controls" aria-labelledby="cam-heading" className="space-y-2.5">
      <div className="flex items-center gap-2">
        <h3 id="cam-heading" className="text-[13px] font-semibold text-zinc-900 dark:text-zinc-50">
          Class activation map
        </h3>
        <button
          type="button"
          data-testid="cam-toggle"
          aria-pressed={settings.shown}
          onClick={() => onChange({ shown: !settings.shown })}
          title={`${settings.shown ? 'Hide' : 'Show'} the map over the photo (C)`}
          aria-keyshortcuts="C"
          className={`ml-auto inline-flex items-center gap-1.5 rounded-md px-2 py-1 text-[12px] font-medium focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none ${
            settings.shown
              ? 'bg-indigo-50 text-indigo-700 ring-1 ring-indigo-200 dark:bg-indigo-500/15 dark:text-indigo-200 dark:ring-indigo-400/30'
              : 'text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800'
          }`}
        >
          <EyeIcon className="h-3.5 w-3.5" />
          {settings.shown ? 'Shown' : 'Hidden'}
          <Kbd>C</Kbd>
        </button>
      </div>

      <div className="grid grid-cols-[auto_minmax(0,1fr)] items-center gap-x-2 gap-y-1.5 text-[12px] text-zinc-500 dark:text-zinc-400">
        <label htmlFor="cam-class">Why</label>
        <select
          id="cam-class"
          data-testid="cam-class"
          value={classA}
          onChange={(event) => onChange({ classIndex: Number(event.currentTarget.value), shown: true })}
          title="The class whose evidence is shown; the most likely first"
          className={selectClass}
        >
          {options.map((o) => (
            <option key={o.index} value={o.index}>
              {optionText(o)}
            </option>
          ))}
        </select>
        <label htmlFor="cam-compare">and not</label>
        <select
          id="cam-compare"
          data-testid="cam-compare"
          value={compare ?? ''}
          onChange={(event) => {
            const value = event.currentTarget.value
            onChange({ compareWith: value === '' ? null : Number(value), shown: true })
          }}
          title="Compare with another class: red where the photo argues for the first, blue for the second"
          className={selectClass}
        >
          <option value="">(no comparison)</option>
          {options
            .filter((o) => o.index !== classA)
            .map((o) => (
              <option key={o.index} value={o.index}>
                {optionText(o)}
              </option>
            ))}
        </select>
        <label htmlFor="cam-opacity">Opacity</label>
        <input
          id="cam-opacity"
          data-testid="cam-opacity"
          type="range"
          min={10}
          max={100}
          step={5}
          value={Math.round(settings.opacity * 100)}
          onChange={(event) => onChange({ opacity: Number(event.currentTarget.value) / 100 })}
          className="w-full accent-indigo-600"
        />
      </div>

      <div className="space-y-1">
        <LegendStrip lut={compare !== null ? DIVERGING : TURBO} />
        <div className="flex justify-between gap-2 text-[11px] text-zinc-500 dark:text-zinc-400">
          {compare !== null ? (
            <>
              <span className="truncate">← for {labelOf(compare)}</span>
              <span className="truncate">for {labelOf(classA)} →</span>
            </>
          ) : (
            <>
              <span>less evidence</span>
              <span className="truncate">more evidence for {labelOf(classA)}</span>
            </>
          )}
        </div>
      </div>

      {view && (
        <p
          data-testid="cam-explain"
          data-mean={view.mean}
          data-bias={view.bias}
          data-logit={view.logit}
          className="text-[11.5px] leading-snug text-zinc-500 dark:text-zinc-400"
        >
          {compare !== null ? (
            <>
              CAM({labelOf(classA)}) − CAM({labelOf(compare)}): red where the photo argues for {labelOf(classA)} over{' '}
              {labelOf(compare)}, blue the other way. Map mean {fixed(view.mean)} + bias gap {fixed(view.bias)} ={' '}
              <strong className="font-semibold text-zinc-700 dark:text-zinc-200">logit gap {fixed(view.logit)}</strong>.
            </>
          ) : (
            <>
              Σ<sub>k</sub> w<sub>{labelOf(classA)},k</sub> · A<sub>k</sub> over the {channels.toLocaleString('en-US')}{' '}
              channels of {feature}, where the photo speaks for {labelOf(classA)}. Map mean {fixed(view.mean)} + bias{' '}
              {fixed(view.bias)} ={' '}
              <strong className="font-semibold text-zinc-700 dark:text-zinc-200">logit {fixed(view.logit)}</strong>.
            </>
          )}
        </p>
      )}
    </section>
  )
}
