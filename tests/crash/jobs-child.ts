/**
 * The process the jobs crash test kills: `node --import tsx tests/crash/jobs-child.ts <db-file> start <folder>`
 * creates a folder job and runs it with the bundled ResNet-56; `... <db-file> resume` runs again the
 * jobs a previous process left unfinished (`resumeInterrupted`), as the app does at start. Prints one
 * JSON line per stage on stdout.
 */
import { JobRunner } from '../../src/main/jobs'
import { loadBundledModel, openLibrary } from './organize-helpers'
import { forModel } from '../../src/main/inference/classify-result'
import { classifierFn } from '../../src/main/inference/classify-files'

const [dbFile, action, folder] = process.argv.slice(2)
if (dbFile === undefined || (action !== 'start' && action !== 'resume') || (action === 'start' && !folder)) {
  process.stderr.write('usage: jobs-child.ts <db-file> start <folder> | <db-file> resume\n')
  process.exit(2)
}

const say = (event: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(event)}\n`)

const { db, modelId } = await openLibrary(dbFile)
const model = await loadBundledModel()
const runner = new JobRunner({ db, classify: forModel(modelId, classifierFn(model.classifier, { k: 5 })) })
if (action === 'start') {
  const job = runner.create({ folder: folder!, modelId })
  say({ stage: 'created', id: job.id })
  say({ stage: 'done', jobs: [await runner.start(job.id)] })
} else {
  say({ stage: 'done', jobs: await runner.resumeInterrupted() })
}
await model.classifier.release()
db.close()
