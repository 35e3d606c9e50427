import { availableParallelism, cpus } from 'node:os'
import type { Db } from '../db/database'
import { ENGINE_KINDS, ENGINE_LABELS, type EngineKind } from '../../shared/engine/engine-kind'
import { stmt } from '../db/sql'
import { systemClock } from '../util/clock'
import type { ClassifierCard } from '../../shared/engine/classifier'

/** One engine's figure for one model on this machine: img/s through the model, or why it is not available. */
export interface EngineMeasurement {
  engine: EngineKind
  imagesPerSecond: number | null
  note: string | null
  measuredAt: string
}

export interface EngineChoice {
  engine: EngineKind
  /** e.g. "native CPU: 1583 img/s; WASM 204 img/s; WebGPU: no hardware adapter" */
  reason: string
  measurements: EngineMeasurement[]
}

/**
 * The model a calibration is of: its sha256, and the views it runs each photo on (`src/shared/preprocess/views.ts`),
 * which multiply the work: a figure measured on the photo alone does not stand for a card that asks for views.
 */
export function calibrationModelKey(card: Pick<ClassifierCard, 'preprocessing'> & { sha256: string }): string {
  const views = card.preprocessing.views
  return views ? `${card.sha256}+views-f${views.flip ? 1 : 0}t${views.tiles}` : card.sha256
}

/** What calibrations are keyed by: the processor, its core count and the platform. */
export function machineKey(): string {
  return `${cpus()[0]?.model.trim() ?? 'unknown CPU'} × ${availableParallelism()} · ${process.platform}-${process.arch}`
}

export function readCalibrations(db: Db, modelSha256: string, machine: string): EngineMeasurement[] {
  return stmt(
    db,
    `SELECT engine, images_per_second AS imagesPerSecond, note, measured_at AS measuredAt FROM engine_calibrations
     WHERE model_sha256 = ? AND machine = ?`,
  ).all(modelSha256, machine) as EngineMeasurement[]
}

export function saveCalibration(
  db: Db,
  modelSha256: string,
  machine: string,
  measurement: Omit<EngineMeasurement, 'measuredAt'>,
  now: () => Date = systemClock,
): void {
  stmt(
    db,
    `INSERT INTO engine_calibrations (model_sha256, machine, engine, images_per_second, note, measured_at)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (model_sha256, machine, engine) DO UPDATE SET
       images_per_second = excluded.images_per_second, note = excluded.note, measured_at = excluded.measured_at`,
  ).run(modelSha256, machine, measurement.engine, measurement.imagesPerSecond, measurement.note, now().toISOString())
}

export interface ChooseOptions {
  /** The engine asked for; used when available. */
  override?: EngineKind
  /** Where it was asked for, for the reason: "settings", "--engine". */
  askedWith?: string
  /** Engines that can take the work; the others' figures are listed, with `ineligibleNote`. */
  eligible?: readonly EngineKind[]
  ineligibleNote?: string
}

/**
 * The fastest engine measured, or the one asked for (`override`) when it is available; with the
 * figures behind the choice (the others fastest first, then those not available), for the model card
 * and the CLI.
 */
export function chooseEngine(measurements: readonly EngineMeasurement[], options: ChooseOptions = {}): EngineChoice {
  const {
    override,
    askedWith = 'settings',
    eligible = ENGINE_KINDS,
    ineligibleNote = 'not used for this work',
  } = options
  const ordered = ENGINE_KINDS.map((engine) => measurements.find((m) => m.engine === engine)).filter(
    (m): m is EngineMeasurement => m !== undefined,
  )
  const available = ordered.filter((m) => m.imagesPerSecond !== null && eligible.includes(m.engine))
  const fastest = [...available].sort((a, b) => b.imagesPerSecond! - a.imagesPerSecond!)[0]
  const asked = override && available.find((m) => m.engine === override)
  const chosen = asked ?? fastest
  if (!chosen) throw new Error(`No engine can run this model here (${ordered.map(describe).join('; ')}).`)
  const why = asked
    ? ` (chosen with ${askedWith})`
    : override
      ? ` (${ENGINE_LABELS[override]} was asked for but is not available)`
      : ''
  const others = ordered
    .filter((m) => m !== chosen)
    .sort((a, b) => (b.imagesPerSecond ?? -1) - (a.imagesPerSecond ?? -1))
    .map((m) =>
      m.imagesPerSecond !== null && !eligible.includes(m.engine) ? `${describe(m)} (${ineligibleNote})` : describe(m),
    )
  return {
    engine: chosen.engine,
    reason: [`${ENGINE_LABELS[chosen.engine]}: ${formatRate(chosen.imagesPerSecond!)} img/s${why}`, ...others].join(
      '; ',
    ),
    measurements: ordered,
  }
}

function describe(m: EngineMeasurement): string {
  return m.imagesPerSecond === null
    ? `${ENGINE_LABELS[m.engine]}: ${m.note ?? 'not available'}`
    : `${ENGINE_LABELS[m.engine]} ${formatRate(m.imagesPerSecond)} img/s`
}

function formatRate(rate: number): string {
  return rate >= 100 ? rate.toFixed(0) : rate >= 10 ? rate.toFixed(1) : rate.toFixed(2)
}
