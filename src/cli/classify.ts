/**
 * Command-line classifier: `npm run classify -- <file-or-folder>... [--model FILE] [--top K] [--json]`,
 * folder organizing: `npm run classify -- <folder> --organize copy|move --out DIR` (organize-run.ts), similar
 * photos and near-duplicates: `<folder> --similar PHOTO` / `<folder> --duplicates` (own-tags-run.ts).
 * See USAGE in args.ts for options and exit codes.
 */
import { relative, resolve } from 'node:path'
import { openDatabase, type Db } from '../main/db/database'
import type { WorkerResult } from '../main/engine-process/protocol'
import type { ModelFile } from '../main/inference/load-model'
import { parseCliArgs, UsageError, USAGE, type CliOptions } from './args'
import { createCliEngine, engineLine, WEBGPU_IN_CLI, type CliEngine } from './cli-engine'
import { humanLine, jsonLine, knowledgeLine } from './format'
import { defaultCliDbPath, openCliDatabase } from './organize-db'
import { runOrganizeCli } from './organize-run'
import { runOwnTagsCli } from './own-tags-run'
import { defaultModelPath } from './paths'
import { collectInputs } from '../main/fs/collect-inputs'

const EXIT_OK = 0
const EXIT_FAILED = 1
const EXIT_USAGE = 2

async function main(argv: readonly string[]): Promise<number> {
  let options: CliOptions
  try {
    const parsed = parseCliArgs(argv)
    if (parsed.help) {
      process.stdout.write(USAGE)
      return EXIT_OK
    }
    options = parsed.options
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    process.stderr.write(`error: ${error.message}\n\n${USAGE}`)
    return EXIT_USAGE
  }
  if (options.engine === 'webgpu') {
    process.stderr.write(`error: --engine webgpu: WebGPU is ${WEBGPU_IN_CLI}; use native or wasm\n`)
    return EXIT_FAILED
  }
  if (options.organize) return runOrganizeCli({ ...options, organize: options.organize }, { describeModel })
  if (options.ownTags) return runOwnTagsCli({ ...options, ownTags: options.ownTags }, { describeModel })

  let db: Db
  const dbFile = resolve(options.db ?? defaultCliDbPath())
  try {
    db = openCliDatabase(dbFile)
  } catch (error) {
    // Only the engines' measurements live there for a plain run: measure them again without it.
    process.stderr.write(
      `warning: cannot open the database ${dbFile} (${(error as Error).message}); not remembering engine speeds\n`,
    )
    db = openDatabase(':memory:')
  }
  const engine = createCliEngine(db, options.engine)
  try {
    return await classifyPaths(options, engine)
  } finally {
    await engine.close()
    db.close()
  }
}

async function classifyPaths(options: CliOptions, engine: CliEngine): Promise<number> {
  const modelPath = options.model ?? defaultModelPath
  let model: ModelFile
  try {
    model = await engine.read(modelPath)
  } catch (error) {
    process.stderr.write(`error: cannot load model ${modelPath}: ${(error as Error).message}\n`)
    return EXIT_FAILED
  }
  process.stderr.write(`${describeModel(model, options.model === undefined)}\n`)
  const choice = await engine.choose(model)
  process.stderr.write(`${engineLine(choice)}\n`)
  process.stderr.write(`${knowledgeLine((await engine.load(model)).knowledge)}\n`)

  const inputs = await collectInputs(options.inputs)
  if (inputs.length === 0) {
    process.stderr.write(`error: no images found in ${options.inputs.join(', ')}\n`)
    return EXIT_FAILED
  }

  const started = performance.now()
  let classified = 0
  let failed = 0
  const report = (result: WorkerResult): void => {
    if ('error' in result) {
      failed++
      if (options.json) writeLine(jsonLine(result))
      else process.stderr.write(`${result.path}: ${result.error}\n`)
    } else {
      classified++
      writeLine(options.json ? jsonLine(result) : humanLine(result))
    }
  }
  // Results come back in the order asked; files that already failed (unreadable) keep their place.
  const paths = inputs.filter((input) => input.error === undefined).map((input) => input.path)
  const results = engine.classify(model, paths, { k: options.top })[Symbol.asyncIterator]()
  for (const input of inputs) {
    if (input.error !== undefined) report({ path: input.path, error: input.error })
    else {
      const next = await results.next()
      if (next.done) throw new Error(`no result for ${input.path}`)
      report(next.value)
    }
  }

  const seconds = (performance.now() - started) / 1000
  process.stderr.write(
    `${classified} classified, ${failed} failed in ${seconds.toFixed(1)} s` +
      (classified > 0 ? ` (${(classified / seconds).toFixed(0)} images/s)\n` : '\n'),
  )
  return failed > 0 ? EXIT_FAILED : EXIT_OK
}

function describeModel({ card, cardPath, modelPath }: ModelFile, bundled: boolean): string {
  const where = bundled ? 'bundled' : relative(process.cwd(), modelPath) || modelPath
  if (cardPath !== undefined) return `Model: ${card.name} (${where})`
  const preset = card.preprocessing.resize === 'square-crop' ? 'CIFAR' : 'ImageNet'
  const labels = card.labels[0] === 'class 0' ? 'no label names' : `${card.output.classes} labels`
  return (
    `Model: ${card.name} (no card; inferred ${card.input.width}×${card.input.height} input, ` +
    `${preset} preprocessing, ${card.output.classes} classes, ${labels})`
  )
}

function writeLine(line: string): void {
  process.stdout.write(`${line}\n`)
}

// A closed pipe (e.g. `| head`) ends the run quietly instead of with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(EXIT_OK)
  throw error
})

process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`)
  return EXIT_FAILED
})
