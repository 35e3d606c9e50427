/**
 * The process the crash test kills: `node --import tsx tests/crash/ingest-child.ts <db-file> <folder>`.
 * Opens (or creates) the library, registers the bundled model, adds the folder and classifies
 * whatever has no predictions yet with the bundled ResNet-56 in a library job (resuming the one a
 * killed process left running), as the app does. Prints one JSON line per stage on stdout.
 *
 * With CRASH_PAUSE_AFTER=N and CRASH_MARKER=<file>, the process stops dead in the middle of the
 * transaction recording photo N + 1 (after its classification row and ranks 1-3, before ranks 4-5
 * and its tags), writes the marker file and waits there to be killed: the test's SIGKILL then lands
 * inside a write, not between two.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { labelsDir, resourcesDir } from '../../src/cli/paths'
import { openDatabase } from '../../src/main/db/database'
import { loadModel } from '../../src/main/inference/load-model'
import { createWasmEngine } from '../../src/main/inference/node-ort'
import { ModelLibrary } from '../../src/main/models/model-library'
import { JobRunner } from '../../src/main/jobs'
import { addPaths, getRun, listRuns } from '../../src/main/photo-library'
import { classifierFn } from '../../src/main/inference/classify-files'
import { forModel } from '../../src/main/inference/classify-result'

/** Predictions kept per photo. */
const K = 5

const [dbFile, folder] = process.argv.slice(2)
if (dbFile === undefined || folder === undefined) {
  process.stderr.write('usage: ingest-child.ts <db-file> <folder>\n')
  process.exit(2)
}

const started = performance.now()
const say = (event: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify({ ...event, ms: Math.round(performance.now() - started) })}\n`)
}

const db = openDatabase(dbFile)
const library = new ModelLibrary(db, {
  builtinModelsDir: join(resourcesDir, 'models'),
  modelsDir: join(dbFile, '..', 'models'),
})
await library.registerBuiltins()
const modelId = library.activeId()
const ingest = await addPaths([folder], { db })
say({ stage: 'added', added: ingest.added, unchanged: ingest.unchanged, skipped: ingest.skipped.length })

const pauseAfter = Number(process.env.CRASH_PAUSE_AFTER)
const marker = process.env.CRASH_MARKER
if (Number.isInteger(pauseAfter) && marker !== undefined) {
  let recording = 0
  db.function('crash_pause', () => {
    if (++recording > pauseAfter) {
      writeFileSync(marker, String(recording))
      // Blocks the thread, inside the transaction, until the test kills the process.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120_000)
    }
    return 0
  })
  // A temporary trigger lives in this connection only: nothing of it reaches the database file.
  db.exec(`CREATE TEMP TRIGGER crash_pause AFTER INSERT ON main.predictions WHEN new.rank = 3
           BEGIN SELECT crash_pause(); END`)
}

const engine = createWasmEngine()
const model = await loadModel(engine, library.resolveFile(modelId)!, labelsDir)
say({ stage: 'classifying', modelId, provider: engine.provider })
const runner = new JobRunner({ db, classify: forModel(modelId, classifierFn(model.classifier, { k: K })) })
const resumed = await runner.resumeInterrupted()
const job = resumed[0] ?? (await runner.start(runner.create({ folder: null, modelId }).id))
await model.classifier.release()
say({ stage: 'done', job: job.state, run: getRun(db, listRuns(db, { modelId })[0]!.id), errors: job.failed })
db.close()
