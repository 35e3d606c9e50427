/**
 * The organize side of the classify CLI: `<folder> --organize copy|move --out DIR`, `--undo`,
 * `--resume`, `--rollback`, over the CLI's own database (see organize-args.ts).
 */
import { stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Db } from '../main/db/database'
import type { ModelFile } from '../main/inference/load-model'
import { JobRunner, listJobs, type Job } from '../main/jobs'
import {
  buildPlan,
  executeOrganize,
  interruptedOrganizeRuns,
  listOrganizeRuns,
  resumeOrganize,
  rollbackOrganize,
  undoOrganize,
  type OrganizePlan,
  type OrganizeProgress,
  type OrganizeReport,
} from '../main/organize'
import type { CliOptions } from './args'
import { createCliEngine, engineLine, type CliEngine } from './cli-engine'
import type { OrganizeCliOptions } from './organize-args'
import { defaultCliDbPath, openCliDatabase, registerCliModel } from './organize-db'
import { jobLine, planLines, runLine, runSummary } from './organize-format'
import { jobProgressState, ProgressDisplay } from './organize-progress'
import { errorText, type CliRunDeps } from './run-deps'
import { defaultModelPath } from './paths'

const EXIT_OK = 0
const EXIT_FAILED = 1

interface Io {
  out: (line: string) => void
  err: (line: string) => void
  progress: ProgressDisplay
  signal: AbortSignal
  json: boolean
}

export async function runOrganizeCli(
  options: CliOptions & { organize: OrganizeCliOptions },
  deps: CliRunDeps,
): Promise<number> {
  const stdout = deps.stdout ?? process.stdout
  const stderr = deps.stderr ?? process.stderr
  const org = options.organize
  const dbFile = resolve(org.db ?? options.db ?? defaultCliDbPath())
  let db: Db
  try {
    db = openCliDatabase(dbFile)
  } catch (error) {
    stderr.write(`error: cannot open the database ${dbFile}: ${errorText(error)}\n`)
    return EXIT_FAILED
  }
  const controller = new AbortController()
  const progress = new ProgressDisplay(stderr)
  const onInterrupt = (): void => {
    if (controller.signal.aborted) process.exit(130)
    controller.abort()
    progress.flush()
    stderr.write('Stopping after the file in flight (Ctrl-C again to quit at once)…\n')
  }
  process.on('SIGINT', onInterrupt)
  process.on('SIGTERM', onInterrupt)
  const io: Io = {
    out: (line) => void (options.json ? undefined : stdout.write(`${line}\n`)),
    err: (line) => {
      progress.flush()
      stderr.write(`${line}\n`)
    },
    progress,
    signal: controller.signal,
    json: options.json,
  }
  const json = (value: unknown): void => void stdout.write(`${JSON.stringify(value)}\n`)
  const engine = createCliEngine(db, options.engine)
  try {
    switch (org.action) {
      case 'organize':
        return await organizeFolder(db, dbFile, options, org, deps, engine, io, json)
      case 'undo':
      case 'rollback':
        return await reverseRun(db, org.action, org.runId, io, json)
      case 'resume':
        return await resumeAll(db, dbFile, options, engine, io, json)
    }
  } catch (error) {
    io.err(`error: ${errorText(error)}`)
    return EXIT_FAILED
  } finally {
    progress.flush()
    process.off('SIGINT', onInterrupt)
    process.off('SIGTERM', onInterrupt)
    await engine.close()
    db.close()
  }
}

async function organizeFolder(
  db: Db,
  dbFile: string,
  options: CliOptions,
  org: Extract<OrganizeCliOptions, { action: 'organize' }>,
  deps: CliRunDeps,
  engine: CliEngine,
  io: Io,
  json: (value: unknown) => void,
): Promise<number> {
  const folder = resolve(options.inputs[0]!)
  const folderStats = await stat(folder).catch(() => undefined)
  if (!folderStats?.isDirectory()) {
    io.err(`error: ${options.inputs[0]} is not a folder`)
    return EXIT_FAILED
  }
  const out = resolve(org.out)
  const modelPath = options.model ?? defaultModelPath
  let model: ModelFile
  try {
    model = await engine.read(modelPath)
  } catch (error) {
    io.err(`error: cannot load model ${modelPath}: ${errorText(error)}`)
    return EXIT_FAILED
  }
  io.err(deps.describeModel(model, options.model === undefined))
  io.err(engineLine(await engine.choose(model)))
  const modelId = registerCliModel(db, model)
  const runner = new JobRunner({
    db,
    classify: engine.jobClassifyFn(options.top),
    onProgress: (p) => io.progress.update(jobProgressState(p)),
  })
  const created = runner.create({
    folder,
    modelId,
    options: { organize: { mode: org.mode, out, threshold: org.threshold } },
  })
  const job = await runJob(runner, created.id, io)
  io.err(jobLine(job))
  if (job.state !== 'done') return stopped(job, dbFile, io, json)

  const plan = await buildPlan(db, { jobId: job.id, modelId, out, threshold: org.threshold, mode: org.mode })
  for (const line of planLines(plan)) io.out(line)
  if (org.dryRun) {
    io.out('Dry run: no file was touched.')
    if (io.json) json({ job, plan: planJson(plan), dryRun: true })
    return job.failed > 0 ? EXIT_FAILED : EXIT_OK
  }
  const report = await organize(db, plan, io)
  if (io.json) json({ job, plan: planJson(plan, 0), run: runSummary(report.run), problems: report.problems })
  return finishOrganize(report, job, dbFile, io)
}

async function runJob(runner: JobRunner, id: number, io: Io): Promise<Job> {
  const stop = (): void => void runner.close()
  io.signal.addEventListener('abort', stop)
  try {
    return await runner.start(id)
  } finally {
    io.signal.removeEventListener('abort', stop)
  }
}

async function organize(db: Db, plan: OrganizePlan, io: Io): Promise<OrganizeReport> {
  const label = plan.mode === 'copy' ? 'Copying' : 'Moving'
  return executeOrganize(db, plan, {
    signal: io.signal,
    onProgress: (p) => io.progress.update(organizeProgressState(label, p)),
  })
}

function finishOrganize(report: OrganizeReport, job: Job | undefined, dbFile: string, io: Io): number {
  io.progress.flush()
  for (const problem of report.problems) io.err(`${problem.source}: ${problem.reason}`)
  if (report.cancelled) {
    io.err(
      `Interrupted: organize run ${report.run.id} is half done. Finish it with ` +
        `${command('--resume', dbFile)}, or put things back with ${command(`--rollback --run ${report.run.id}`, dbFile)}.`,
    )
    return EXIT_FAILED
  }
  io.out(runLine(report, 'organize'))
  io.out(`Undo with: ${command(`--undo --run ${report.run.id}`, dbFile)}`)
  return report.problems.length > 0 || (job?.failed ?? 0) > 0 ? EXIT_FAILED : EXIT_OK
}

function stopped(job: Job, dbFile: string, io: Io, json: (value: unknown) => void): number {
  if (io.json) json({ job })
  if (job.state === 'failed') io.err(`error: the job failed: ${job.message ?? 'unknown error'}`)
  else io.err(`Interrupted: job ${job.id} stopped (${job.state}). Finish it with ${command('--resume', dbFile)}.`)
  return EXIT_FAILED
}

async function reverseRun(
  db: Db,
  action: 'undo' | 'rollback',
  runId: number | undefined,
  io: Io,
  json: (value: unknown) => void,
): Promise<number> {
  const states = action === 'undo' ? (['undoing', 'done'] as const) : (['rolling-back', 'running'] as const)
  const id = runId ?? listOrganizeRuns(db, { states, limit: 1 })[0]?.id
  if (id === undefined) {
    io.err(`error: no organize run to ${action === 'undo' ? 'undo' : 'roll back'} in this database`)
    return EXIT_FAILED
  }
  const label = action === 'undo' ? 'Undoing' : 'Rolling back'
  const deps = {
    signal: io.signal,
    onProgress: (p: OrganizeProgress) => io.progress.update(organizeProgressState(label, p)),
  }
  const report = action === 'undo' ? await undoOrganize(db, id, deps) : await rollbackOrganize(db, id, deps)
  io.progress.flush()
  for (const problem of report.problems) io.err(`${problem.dest}: ${problem.reason}`)
  if (io.json) json({ run: runSummary(report.run), problems: report.problems, cancelled: report.cancelled })
  if (report.cancelled) {
    io.err(`Interrupted: run the same command again to finish.`)
    return EXIT_FAILED
  }
  io.out(runLine(report, action))
  return report.problems.length > 0 ? EXIT_FAILED : EXIT_OK
}

/** Finishes interrupted organize runs (and undos, rollbacks), then interrupted jobs and their organizing. */
async function resumeAll(
  db: Db,
  dbFile: string,
  options: CliOptions,
  engine: CliEngine,
  io: Io,
  json: (value: unknown) => void,
): Promise<number> {
  let failed = false
  const results: unknown[] = []
  const runs = interruptedOrganizeRuns(db)
  const jobs = listJobs(db, { states: ['running', 'queued'], limit: 1000 })
  if (runs.length === 0 && jobs.length === 0) {
    io.out('Nothing to resume.')
    if (io.json) json({ resumed: [] })
    return EXIT_OK
  }
  for (const run of runs) {
    if (io.signal.aborted) break
    const action = run.state === 'running' ? 'organize' : run.state === 'undoing' ? 'undo' : 'rollback'
    const label = { organize: run.mode === 'copy' ? 'Copying' : 'Moving', undo: 'Undoing', rollback: 'Rolling back' }[
      action
    ]
    const deps = {
      signal: io.signal,
      onProgress: (p: OrganizeProgress) => io.progress.update(organizeProgressState(label, p)),
    }
    const report =
      action === 'organize'
        ? await resumeOrganize(db, run.id, deps)
        : action === 'undo'
          ? await undoOrganize(db, run.id, deps)
          : await rollbackOrganize(db, run.id, deps)
    results.push({ run: runSummary(report.run), problems: report.problems })
    if (action === 'organize') failed = finishOrganize(report, undefined, dbFile, io) !== EXIT_OK || failed
    else {
      io.progress.flush()
      io.out(runLine(report, action))
      failed = failed || report.problems.length > 0 || report.cancelled
    }
  }
  if (jobs.length > 0 && !io.signal.aborted) {
    const runner = new JobRunner({
      db,
      classify: engine.jobClassifyFn(options.top),
      onProgress: (p) => io.progress.update(jobProgressState(p)),
    })
    const stop = (): void => void runner.close()
    io.signal.addEventListener('abort', stop)
    const done = await runner.resumeInterrupted().finally(() => io.signal.removeEventListener('abort', stop))
    for (const job of done) {
      io.err(jobLine(job))
      if (job.state !== 'done') {
        failed = stopped(job, dbFile, io, () => undefined) !== EXIT_OK || failed
        results.push({ job })
        continue
      }
      const plan = job.options.organize
      if (!plan || listOrganizeRuns(db, { jobId: job.id, limit: 1 }).length > 0) {
        results.push({ job })
        continue
      }
      const organizePlan = await buildPlan(db, { jobId: job.id, modelId: job.modelId, ...plan })
      for (const line of planLines(organizePlan)) io.out(line)
      const report = await organize(db, organizePlan, io)
      results.push({ job, run: runSummary(report.run), problems: report.problems })
      failed = finishOrganize(report, job, dbFile, io) !== EXIT_OK || failed
    }
  }
  if (io.json) json({ resumed: results })
  return failed ? EXIT_FAILED : EXIT_OK
}

// ---------------------------------------------------------------------------------------------

function organizeProgressState(label: string, p: OrganizeProgress): Parameters<ProgressDisplay['update']>[0] {
  return { label, done: p.done, total: p.total, rate: p.rate, eta: p.eta, current: p.current, unit: 'files/s' }
}

function planJson(plan: OrganizePlan, steps = Infinity): Record<string, unknown> {
  return {
    folder: plan.folder,
    out: plan.out,
    mode: plan.mode,
    threshold: plan.threshold,
    groups: plan.groups,
    unknown: plan.steps.filter((s) => s.kind === 'unknown').length,
    steps: plan.steps
      .slice(0, steps)
      .map(({ source, dest, folder, label, kind, p }) => ({ source, dest, folder, label, kind, p })),
    stepCount: plan.steps.length,
    skipped: plan.skipped,
  }
}

function command(args: string, dbFile: string): string {
  const db = dbFile === defaultCliDbPath() ? '' : ` --db ${quote(dbFile)}`
  return `npm run classify -- ${args}${db}`
}

function quote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`
}
