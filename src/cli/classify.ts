/**
 * Command-line classifier: `npm run classify -- <file-or-folder>... [--model FILE] [--top K] [--json]`,
 * and folder organizing: `npm run classify -- <folder> --organize copy|move --out DIR` (organize-run.ts).
 * See USAGE in args.ts for options and exit codes.
 */
import { relative } from 'node:path'
import { classifyFiles } from '../main/engine/classify-files'
import { loadModel, type LoadedModel } from '../main/engine/load-model'
import { createWasmEngine } from '../main/engine/node-ort'
import { parseCliArgs, UsageError, USAGE, type CliOptions } from './args'
import { humanLine, jsonLine } from './format'
import { runOrganizeCli } from './organize-run'
import { defaultModelPath, labelsDir } from './paths'
import { collectInputs } from './walk'

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
  if (options.organize) return runOrganizeCli({ ...options, organize: options.organize }, { describeModel })

  const engine = createWasmEngine()
  const modelPath = options.model ?? defaultModelPath
  let model: LoadedModel
  try {
    model = await loadModel(engine, modelPath, labelsDir)
  } catch (error) {
    process.stderr.write(`error: cannot load model ${modelPath}: ${(error as Error).message}\n`)
    return EXIT_FAILED
  }
  process.stderr.write(`${describeModel(model, options.model === undefined)} · ${engine.provider}\n`)

  const inputs = await collectInputs(options.inputs)
  if (inputs.length === 0) {
    process.stderr.write(`error: no images found in ${options.inputs.join(', ')}\n`)
    await model.classifier.release()
    return EXIT_FAILED
  }

  const started = performance.now()
  let classified = 0
  let failed = 0
  for await (const result of classifyFiles(model.classifier, inputs, { k: options.top })) {
    if ('error' in result) {
      failed++
      if (options.json) writeLine(jsonLine(result))
      else process.stderr.write(`${result.path}: ${result.error}\n`)
    } else {
      classified++
      writeLine(options.json ? jsonLine(result) : humanLine(result))
    }
  }
  await model.classifier.release()

  const seconds = (performance.now() - started) / 1000
  process.stderr.write(
    `${classified} classified, ${failed} failed in ${seconds.toFixed(1)} s` +
      (classified > 0 ? ` (${(classified / seconds).toFixed(0)} images/s)\n` : '\n'),
  )
  return failed > 0 ? EXIT_FAILED : EXIT_OK
}

function describeModel({ card, cardPath, modelPath }: LoadedModel, bundled: boolean): string {
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
