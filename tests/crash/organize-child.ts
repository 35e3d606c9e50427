/**
 * The process the organize crash test kills:
 *   node --import tsx tests/crash/organize-child.ts <db-file> organize <out> <copy|move>
 *   node --import tsx tests/crash/organize-child.ts <db-file> resume|rollback|undo <run-id>
 * `organize` plans the database's first job into <out> (threshold 0.5) and executes the plan.
 *
 * With CRASH_AT=<point>:<seq> the process kills itself with SIGKILL when step <seq> reaches <point>
 * (see OrganizePoint): between two file operations, or between a file operation and its journal
 * entry. FORCE_COPY=1 makes moves copy, verify and delete, as across devices. Prints one JSON line.
 */
import { openDatabase } from '../../src/main/db/database'
import {
  buildPlan,
  executeOrganize,
  resumeOrganize,
  rollbackOrganize,
  undoOrganize,
  type OrganizeDeps,
  type OrganizeMode,
} from '../../src/main/organize'

const [dbFile, action, arg, mode] = process.argv.slice(2)
if (dbFile === undefined || action === undefined || arg === undefined) {
  process.stderr.write(
    'usage: organize-child.ts <db-file> organize <out> <copy|move> | resume|rollback|undo <run-id>\n',
  )
  process.exit(2)
}

const [crashPoint, crashSeq] = (process.env.CRASH_AT ?? '').split(':')
const deps: OrganizeDeps = {
  forceCopy: process.env.FORCE_COPY === '1',
  probe: (point, seq) => {
    if (point === crashPoint && String(seq) === crashSeq) process.kill(process.pid, 'SIGKILL')
  },
}

const db = openDatabase(dbFile)
const job = db.prepare('SELECT id, model_id AS modelId FROM jobs ORDER BY id LIMIT 1').get() as {
  id: number
  modelId: string
}
const report =
  action === 'organize'
    ? await executeOrganize(
        db,
        await buildPlan(db, {
          jobId: job.id,
          modelId: job.modelId,
          out: arg,
          threshold: 0.5,
          mode: mode as OrganizeMode,
        }),
        deps,
      )
    : action === 'resume'
      ? await resumeOrganize(db, Number(arg), deps)
      : action === 'rollback'
        ? await rollbackOrganize(db, Number(arg), deps)
        : await undoOrganize(db, Number(arg), deps)
process.stdout.write(`${JSON.stringify({ run: report.run, problems: report.problems })}\n`)
db.close()
