import { useEffect, useMemo, useRef, useState } from 'react'
import { inputRegionInPhoto, normalizeMap, upsampleBilinear } from '../../../shared/engine/activations'
import {
  DIVERGING,
  INFERNO,
  paintHeat,
  putOnCanvas,
  scaleSigned,
  TURBO,
  type AlphaMode,
  type Lut,
} from '../lib/heatmap'
import { useElementSize } from '../lib/useElementSize'
import { CloseIcon } from '../ui/Icons'
import { camView } from './cam'
import type { ActivationsResult, ChannelZoom, DetailPhoto } from './detail-store'
import { describeTap } from './tap-labels'

/** Below this size the photo is drawn with hard pixels (CIFAR's 32 × 32 photos), not blurred. */
const PIXELATED_BELOW = 96
/** Overlays are resampled to about this many pixels across, then scaled smoothly by the browser. */
const OVERLAY_SIDE = 224

interface OverlayMap {
  testId: 'cam-overlay' | 'channel-zoom'
  /** H×W values already scaled to 0..1. */
  values: Float32Array
  height: number
  width: number
  lut: Lut
  alpha: AlphaMode
  attributes: Record<string, string>
}

/** A map drawn over the part of the photo the model saw: upsampled bilinearly, colour-mapped, see-through. */
function Overlay({ overlay, opacity }: { overlay: OverlayMap; opacity: number }) {
  const canvasRef = useRef<HTMLCanvasElement>(null)
  useEffect(() => {
    const canvas = canvasRef.current
    if (!canvas) return
    const { values, height, width } = overlay
    const factor = Math.max(1, Math.ceil(OVERLAY_SIDE / Math.max(height, width)))
    const smooth = upsampleBilinear(values, height, width, height * factor, width * factor)
    putOnCanvas(canvas, paintHeat(smooth, width * factor, height * factor, overlay.lut, overlay.alpha))
    canvas.dataset.drawn = 'true'
  }, [overlay])
  return (
    <canvas
      ref={canvasRef}
      data-testid={overlay.testId}
      {...Object.fromEntries(Object.entries(overlay.attributes).map(([k, v]) => [`data-${k}`, v]))}
      className="absolute inset-0 h-full w-full transition-opacity"
      style={{ opacity }}
    />
  )
}

/** What to lay over the photo: the zoomed channel, else the CAM of `classA` (minus `compareWith`'s), else nothing. */
function buildOverlay(
  result: ActivationsResult | undefined,
  zoom: ChannelZoom | null,
  classA: number | null,
  compareWith: number | null,
): { overlay?: OverlayMap; zoomLabel?: string } {
  if (result && zoom) {
    const stage = result.stages.find((s) => s.stage === zoom.stage)
    const top = stage?.top[zoom.rank]
    if (stage && top) {
      const [, height = 1, width = 1] = stage.shape
      const plane = height * width
      const map = stage.maps.subarray(zoom.rank * plane, (zoom.rank + 1) * plane)
      const paper = describeTap(stage.stage, result.architecture).paper
      const overlay: OverlayMap = {
        testId: 'channel-zoom',
        values: normalizeMap(map, { mode: 'positive' }),
        height,
        width,
        lut: INFERNO,
        alpha: 'rising',
        attributes: { stage: stage.stage, channel: String(top.channel), rank: String(zoom.rank) },
      }
      const zoomLabel = `${paper} · channel ${top.channel} · ${height}×${width} · mean ${top.mean.toPrecision(3)}`
      return { overlay, zoomLabel }
    }
  } else if (result && classA !== null) {
    const view = camView(result, classA, compareWith)
    if (view) {
      const contrast = compareWith !== null && compareWith !== classA
      const overlay: OverlayMap = {
        testId: 'cam-overlay',
        values: contrast ? scaleSigned(view.map) : normalizeMap(view.map),
        height: view.height,
        width: view.width,
        lut: contrast ? DIVERGING : TURBO,
        alpha: contrast ? 'diverging' : 'rising',
        attributes: {
          mode: contrast ? 'contrast' : 'cam',
          'class-index': String(classA),
          'class-label': result.labels[classA] ?? '',
          'compare-index': contrast ? String(compareWith) : '',
          'map-size': `${view.height}×${view.width}`,
        },
      }
      return { overlay }
    }
  }
  return {}
}

interface Props {
  photo: DetailPhoto
  result: ActivationsResult | undefined
  /** The CAM's class, and the class it is compared with (or null). */
  classA: number | null
  compareWith: number | null
  showCam: boolean
  opacity: number
  zoom: ChannelZoom | null
  onCloseZoom(): void
}

/**
 * The photo, as large as it fits, with the CAM (or a zoomed channel) over the region the model saw
 * (its input window after the resize and crop); the rest of the photo is dimmed.
 */
export function PhotoView({ photo, result, classA, compareWith, showCam, opacity, zoom, onCloseZoom }: Props) {
  const boxRef = useRef<HTMLDivElement>(null)
  const box = useElementSize(boxRef)
  const [natural, setNatural] = useState<{ width: number; height: number } | null>(null)
  const size = result ? { width: result.width, height: result.height } : natural

  const { overlay, zoomLabel } = useMemo(
    () => buildOverlay(result, zoom, showCam ? classA : null, compareWith),
    [result, zoom, showCam, classA, compareWith],
  )

  let frame: { left: number; top: number; width: number; height: number } | undefined
  if (size && box.width > 0 && box.height > 0) {
    const scale = Math.min(box.width / size.width, box.height / size.height)
    const width = size.width * scale
    const height = size.height * scale
    frame = { left: (box.width - width) / 2, top: (box.height - height) / 2, width, height }
  }
  const region = result ? inputRegionInPhoto(result.width, result.height, result.spec) : undefined
  const pct = (v: number, of: number): string => `${(v / of) * 100}%`
  const cropped =
    region !== undefined &&
    result !== undefined &&
    (region.x > 0.5 || region.y > 0.5 || region.width < result.width - 1 || region.height < result.height - 1)
  const small = size !== null && Math.max(size.width, size.height) < PIXELATED_BELOW

  return (
    <div ref={boxRef} data-testid="detail-photo" className="relative h-full min-h-0 w-full">
      <div
        className="absolute overflow-hidden rounded-lg bg-zinc-200 shadow-sm ring-1 ring-black/5 dark:bg-zinc-800 dark:ring-white/10"
        style={frame ? { left: frame.left, top: frame.top, width: frame.width, height: frame.height } : { inset: 0 }}
      >
        <img
          src={photo.url}
          alt={photo.name}
          draggable={false}
          onLoad={(event) => {
            const img = event.currentTarget
            setNatural({ width: img.naturalWidth, height: img.naturalHeight })
          }}
          className={`block h-full w-full ${frame ? '' : 'object-contain'} ${small ? '[image-rendering:pixelated]' : ''}`}
        />
        {overlay && region && result && (
          <div
            data-testid="input-region"
            className={`absolute ${cropped ? 'shadow-[0_0_0_9999px_rgba(9,9,11,0.45)] outline outline-1 outline-white/60 outline-dashed' : ''}`}
            style={{
              left: pct(region.x, result.width),
              top: pct(region.y, result.height),
              width: pct(region.width, result.width),
              height: pct(region.height, result.height),
            }}
            title={cropped ? 'The part of the photo the model saw (after its resize and centre crop)' : undefined}
          >
            <Overlay overlay={overlay} opacity={opacity} />
          </div>
        )}
        {zoomLabel && (
          <div className="absolute top-2 left-2 flex max-w-[calc(100%-1rem)] items-center gap-1 rounded-lg bg-zinc-950/75 py-1 pr-1 pl-2.5 text-[11.5px] font-medium text-white shadow-lg backdrop-blur">
            <span data-testid="channel-zoom-label" className="truncate font-mono">
              {zoomLabel}
            </span>
            <button
              type="button"
              data-testid="channel-zoom-close"
              onClick={onCloseZoom}
              title="Back to the class activation map (Esc)"
              aria-label="Close the channel"
              className="rounded-md p-1 text-white/70 hover:bg-white/15 hover:text-white focus-visible:ring-2 focus-visible:ring-white focus-visible:outline-none"
            >
              <CloseIcon className="h-3.5 w-3.5" />
            </button>
          </div>
        )}
      </div>
    </div>
  )
}
