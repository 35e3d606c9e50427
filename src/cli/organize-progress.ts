import type { JobProgress } from '../main/jobs'

/** What a progress display needs of a job or an organize run. */
export interface ProgressState {
  /** "Scanning", "Classifying", "Copying"... */
  label: string
  done: number
  total: number
  /** Items per second; 0 when not known yet. */
  rate: number
  /** Seconds left; null when not known. */
  eta: number | null
  /** The item in flight, shown on a terminal only. */
  current?: string | null
  /** "img/s", "files/s". */
  unit: string
}

export interface ProgressStream {
  write(text: string): unknown
  isTTY?: boolean
  columns?: number
}

/**
 * Progress on stderr: on a terminal, one bar redrawn in place (at most every 100 ms); otherwise plain
 * lines, at most one every few seconds, plus the last one of each phase.
 */
export class ProgressDisplay {
  private readonly tty: boolean
  private readonly intervalMs: number
  private last = -Infinity
  private drawn = false
  private latest: ProgressState | undefined
  private held = false
  private shownKey: string | undefined

  constructor(
    private readonly stream: ProgressStream,
    options: { tty?: boolean; intervalMs?: number } = {},
  ) {
    this.tty = options.tty ?? stream.isTTY === true
    this.intervalMs = options.intervalMs ?? (this.tty ? 100 : 2000)
  }

  update(state: ProgressState): void {
    const now = performance.now()
    const newPhase = state.label !== this.latest?.label
    if (newPhase) this.flush()
    this.latest = state
    const key = `${state.label}:${state.done}/${state.total}`
    if (key === this.shownKey || (state.total === 0 && state.done === 0)) return
    if (!newPhase && now - this.last < this.intervalMs && state.done < state.total) {
      this.held = true
      return
    }
    this.last = now
    this.show(state)
  }

  /** Shows the latest state if it was held back, and ends the bar's line. */
  flush(): void {
    if (this.latest && this.held) this.show(this.latest)
    if (this.tty && this.drawn) this.stream.write('\n')
    this.drawn = false
    this.held = false
    this.latest = undefined
    this.shownKey = undefined
  }

  private show(state: ProgressState): void {
    this.held = false
    this.shownKey = `${state.label}:${state.done}/${state.total}`
    if (this.tty) {
      const width = Math.max(40, (this.stream.columns || 80) - 1)
      this.stream.write(`\r\x1b[2K${fit(barLine(state, width), width)}`)
      this.drawn = true
    } else {
      this.stream.write(`${plainLine(state)}\n`)
    }
  }
}

export function plainLine(state: ProgressState): string {
  const parts = [`${state.label}: ${count(state.done)}/${count(state.total)} (${percentOf(state)})`]
  if (state.rate > 0) parts.push(`${rateText(state.rate)} ${state.unit}`)
  if (state.eta !== null && state.done < state.total) parts.push(`ETA ${duration(state.eta)}`)
  return parts.join(', ')
}

export function barLine(state: ProgressState, width = 80): string {
  const cells = 24
  const fraction = state.total > 0 ? Math.min(1, state.done / state.total) : 0
  const full = Math.round(fraction * cells)
  const bar = `${'█'.repeat(full)}${'░'.repeat(cells - full)}`
  const parts = [`${state.label.padEnd(11)} ${bar} ${count(state.done)}/${count(state.total)} ${percentOf(state)}`]
  if (state.rate > 0) parts.push(`${rateText(state.rate)} ${state.unit}`)
  if (state.eta !== null && state.done < state.total) parts.push(`ETA ${duration(state.eta)}`)
  let line = parts.join(' · ')
  if (state.current) {
    const room = width - line.length - 3
    if (room > 8) line += ` · ${state.current.length > room ? `…${state.current.slice(-(room - 1))}` : state.current}`
  }
  return line
}

function fit(line: string, width: number): string {
  return line.length > width ? line.slice(0, width) : line
}

function percentOf(state: ProgressState): string {
  return state.total > 0 ? `${((100 * state.done) / state.total).toFixed(1)}%` : '0%'
}

export function count(n: number): string {
  return n.toLocaleString('en-US')
}

function rateText(rate: number): string {
  return rate >= 10 ? rate.toFixed(0) : rate.toFixed(1)
}

/** "42 s", "3 min 05 s", "1 h 02 min". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`
}

/** A job's progress as the display shows it: scanning files, then classifying photos. */
export function jobProgressState(p: JobProgress): ProgressState {
  return {
    label: p.phase === 'scanning' ? 'Scanning' : 'Classifying',
    done: p.done,
    total: p.total,
    rate: p.rate,
    eta: p.eta,
    current: p.current,
    unit: p.phase === 'scanning' ? 'files/s' : 'img/s',
  }
}
