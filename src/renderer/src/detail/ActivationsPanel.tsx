import { memo, useEffect, useRef, useState, type RefObject } from 'react'
import type { StageActivations } from '../engine/messages'
import { formatShape } from '../lib/format'
import { INFERNO, paintHeat, putOnCanvas, scaleBy } from '../lib/heatmap'
import type { ActivationsResult, ChannelZoom } from './detail-store'
import { describeTap } from './tap-labels'

/** Below this size a map is drawn with hard pixels (what the network has), above it smoothly. */
const PIXELATED_BELOW = 64

function formatActivation(v: number): string {
  if (v === 0) return '0'
  if (Math.abs(v) >= 100) return v.toFixed(0)
  if (Math.abs(v) >= 10) return v.toFixed(1)
  return v.toFixed(2)
}

/** True once the element has come near the visible part of its scroll area (then stays true). */
function useSeen<T extends Element>(): [RefObject<T | null>, boolean] {
  const ref = useRef<T>(null)
  const [seen, setSeen] = useState(false)
  useEffect(() => {
    const element = ref.current
    if (!element || seen) return
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          setSeen(true)
          observer.disconnect()
        }
      },
      { rootMargin: '300px 0px' },
    )
    observer.observe(element)
    return () => observer.disconnect()
  }, [seen])
  return [ref, seen]
}

interface TileProps {
  stage: StageActivations
  rank: number
  draw: boolean
  selected: boolean
  onSelect(rank: number): void
}

/** One channel's map on a canvas (drawn once its stage is near view), with its index and mean. */
const ChannelTile = memo(function ChannelTile({ stage, rank, draw, selected, onSelect }: TileProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null)
  const [, height = 1, width = 1] = stage.shape
  const top = stage.top[rank]!
  useEffect(() => {
    const canvas = canvasRef.current
    if (!draw || !canvas) return
    const plane = height * width
    const map = stage.maps.subarray(rank * plane, (rank + 1) * plane)
    putOnCanvas(canvas, paintHeat(scaleBy(map, stage.max), width, height, INFERNO))
    canvas.dataset.drawn = 'true'
  }, [draw, stage, rank, height, width])
  return (
    <li>
      <button
        type="button"
        data-testid="channel-tile"
        data-channel={top.channel}
        data-rank={rank}
        data-mean={top.mean}
        aria-pressed={selected}
        onClick={() => onSelect(rank)}
        title={`Channel ${top.channel}: mean activation ${top.mean.toPrecision(4)}, ${
          rank === 0 ? 'the most active' : `#${rank + 1} by mean`
        }. Show it over the photo.`}
        className={`group block w-full rounded-md p-0.5 text-left focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none ${
          selected ? 'bg-indigo-500/15 ring-2 ring-indigo-500' : 'hover:bg-zinc-200/60 dark:hover:bg-zinc-800'
        }`}
      >
        <canvas
          ref={canvasRef}
          data-testid="channel-canvas"
          width={width}
          height={height}
          className={`block aspect-square w-full rounded-[3px] bg-zinc-900 ${
            Math.max(width, height) < PIXELATED_BELOW ? '[image-rendering:pixelated]' : ''
          }`}
        />
        <span className="mt-0.5 flex items-baseline justify-between gap-1 px-0.5 font-mono text-[9.5px] leading-3 text-zinc-500 tabular-nums dark:text-zinc-400">
          <span>#{top.channel}</span>
          <span className="text-zinc-400 dark:text-zinc-500">{formatActivation(top.mean)}</span>
        </span>
      </button>
    </li>
  )
})

interface StageRowProps {
  stage: StageActivations
  result: ActivationsResult
  zoomedRank: number | null
  onZoom(zoom: ChannelZoom | null): void
}

function StageRow({ stage, result, zoomedRank, onZoom }: StageRowProps) {
  const [ref, seen] = useSeen<HTMLLIElement>()
  const label = describeTap(stage.stage, result.architecture)
  const shape = formatShape(stage.shape)
  const channels = stage.shape[0] ?? 0
  const select = (rank: number): void => onZoom(zoomedRank === rank ? null : { stage: stage.stage, rank })
  return (
    <li
      ref={ref}
      data-testid="activation-stage"
      data-stage-name={stage.stage}
      data-paper-name={label.paper}
      data-shape={shape}
      data-drawn={seen}
      className="space-y-2 py-3"
    >
      <div className="flex items-start gap-2">
        <span className={`mt-1 h-2.5 w-2.5 shrink-0 rounded-sm ${label.colour}`} aria-hidden="true" />
        <div className="min-w-0 flex-1">
          <h4 className="flex flex-wrap items-baseline gap-x-2 text-[13px]">
            <span className="font-mono font-semibold text-zinc-900 dark:text-zinc-50">{label.paper}</span>
            {label.torch !== label.paper && (
              <span className="font-mono text-[11px] text-zinc-400 dark:text-zinc-500">{label.torch}</span>
            )}
            <span
              data-testid="activation-shape"
              title="Channels × height × width of this stage's output"
              className="ml-auto rounded-md bg-zinc-100 px-1.5 py-px font-mono text-[11.5px] font-medium text-zinc-700 tabular-nums dark:bg-zinc-800 dark:text-zinc-200"
            >
              {shape}
            </span>
          </h4>
          <p className="mt-0.5 text-[11.5px] leading-snug text-zinc-500 dark:text-zinc-400">
            {label.note}{' '}
            <span className="text-zinc-400 dark:text-zinc-500">
              {stage.top.length < channels
                ? `The ${stage.top.length} most active of ${channels.toLocaleString('en-US')} channels.`
                : `All ${channels} channels, the most active first.`}
            </span>
          </p>
        </div>
      </div>
      <ol className="grid grid-cols-8 gap-1" aria-label={`${label.paper}: the most active channels`}>
        {stage.top.map((_, rank) => (
          <ChannelTile
            key={rank}
            stage={stage}
            rank={rank}
            draw={seen}
            selected={zoomedRank === rank}
            onSelect={select}
          />
        ))}
      </ol>
    </li>
  )
}

/** The pooled features: the feature stage's channel means, the vector the classifier weighs. */
function PooledRow({ result }: { result: ActivationsResult }) {
  const canvasRef = useRef<HTMLCanvasElement>(null)
  const feature = result.architecture.head?.featureStage
  const stage = result.stages.find((s) => s.stage === feature) ?? result.stages.at(-1)
  const means = stage?.means
  useEffect(() => {
    const canvas = canvasRef.current
    if (!canvas || !means) return
    let max = 0
    for (const v of means) max = Math.max(max, v)
    const width = means.length
    const height = 24
    const values = new Float32Array(width * height)
    for (let x = 0; x < width; x++) {
      const bar = max > 0 ? Math.round((means[x]! / max) * height) : 0
      for (let y = height - bar; y < height; y++) values[y * width + x] = 0.35 + (0.65 * means[x]!) / max
    }
    putOnCanvas(canvas, paintHeat(values, width, height, INFERNO, 'rising'))
  }, [means])
  if (!stage || !means) return null
  const pooled = result.architecture.stages.find((s) => s.kind === 'global-pool')
  return (
    <li data-testid="activation-pooled" data-shape={String(means.length)} className="space-y-1.5 py-3">
      <h4 className="flex items-baseline gap-2 text-[13px]">
        <span className="font-mono font-semibold text-zinc-900 dark:text-zinc-50">pooled features</span>
        <span className="font-mono text-[11px] text-zinc-400 dark:text-zinc-500">{pooled?.name ?? 'avgpool'}</span>
        <span className="ml-auto rounded-md bg-zinc-100 px-1.5 py-px font-mono text-[11.5px] font-medium text-zinc-700 tabular-nums dark:bg-zinc-800 dark:text-zinc-200">
          {means.length}
        </span>
      </h4>
      <canvas
        ref={canvasRef}
        className="block h-8 w-full rounded-[3px] bg-zinc-100 [image-rendering:pixelated] dark:bg-zinc-950"
        aria-label={`The ${means.length} channel means of ${describeTap(stage.stage, result.architecture).paper}`}
      />
      <p className="text-[11.5px] leading-snug text-zinc-500 dark:text-zinc-400">
        Global average pooling turns each of the {means.length.toLocaleString('en-US')} maps into one number (bars, in
        channel order); the classifier multiplies these by its weights to score every class.
      </p>
    </li>
  )
}

interface Props {
  result: ActivationsResult
  zoom: ChannelZoom | null
  onZoom(zoom: ChannelZoom | null): void
}

/**
 * One row per tapped stage, in the order the photo goes through them: the stage's shape and a grid of
 * its most active channels as heat maps (one colour scale per stage: brighter is stronger).
 */
export function ActivationsPanel({ result, zoom, onZoom }: Props) {
  return (
    <section data-testid="activations-panel" aria-labelledby="activations-heading" className="min-w-0">
      <header className="space-y-1 pb-1">
        <h3
          id="activations-heading"
          className="text-[14px] font-semibold tracking-tight text-zinc-900 dark:text-zinc-50"
        >
          Activations
        </h3>
        <p className="text-[12px] leading-snug text-zinc-500 dark:text-zinc-400">
          What each stage of the network made of this photo: the channels that fired most, by mean activation, strongest
          first. Black is zero; one colour scale per stage. Click a channel to lay it over the photo.
        </p>
      </header>
      {result.stages.length === 0 && (
        <p data-testid="activations-none" className="py-3 text-[12.5px] text-zinc-500 dark:text-zinc-400">
          The graph reader found no stage outputs to tap in this model, so there is nothing to show here.
        </p>
      )}
      <ol className="divide-y divide-zinc-100 dark:divide-zinc-800/80">
        {result.stages.map((stage) => (
          <StageRow
            key={stage.stage}
            stage={stage}
            result={result}
            zoomedRank={zoom?.stage === stage.stage ? zoom.rank : null}
            onZoom={onZoom}
          />
        ))}
        <PooledRow result={result} />
      </ol>
    </section>
  )
}
