/**
 * npm run profile -- MODEL.onnx --images DIR [--labels-from-folders] [--out FILE]
 *
 * Builds a model's knowledge profile (`src/shared/knowledge/profile.ts`) from photos of what it knows: every image
 * under DIR (recursively) goes through the model for its logits and features, the profile is fitted to them
 * (`fitProfile`) and written atomically to FILE (default: MODEL.profile.json beside the model, where the app
 * looks for it). With --labels-from-folders each photo's parent folder names its class (matched to the model's
 * labels); the labels fit the calibration and give the accuracy figures. Progress goes to stderr, the figures to
 * stdout. The bundled model's profile is built with:
 *
 *   npm run profile -- resources/models/resnet56-cifar10.onnx --images ../shared/datasets/cifar10-test-half \
 *     --labels-from-folders --out resources/models/resnet56-cifar10.profile.json
 */
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { labelsDir } from '../src/cli/paths'
import { collectInputs } from '../src/main/fs/collect-inputs'
import { createNativeEngine } from '../src/main/inference/native-ort'
import { readModel } from '../src/main/inference/load-model'
import { writeFileAtomic } from '../src/main/fs/durable'
import { openFeatureExtractor } from '../src/main/inference/extract-features'
import { fitProfile, type FitProfileReport } from '../src/main/knowledge/fit-profile'
import { profilePathFor } from '../src/main/knowledge/load-knowledge'
import { folderClasses } from '../src/main/knowledge/profile-builds'

const USAGE = 'Usage: npm run profile -- MODEL.onnx --images DIR [--labels-from-folders] [--out FILE]'

function fail(message: string): never {
  process.stderr.write(`${message}\n`)
  process.exit(1)
}

const percent = (x: number | undefined): string => (x === undefined ? '–' : `${(100 * x).toFixed(1)}%`)

/** The figures a build prints. */
function formatReport(report: FitProfileReport, out: string, bytes: number): string {
  const lines = [
    `Profile written to ${out} (${(bytes / 1024).toFixed(0)} KiB)`,
    `  photos: ${report.images} (${report.labelled} labelled by their folder); classes predicted: ${report.classesSeen}`,
    `  stages: ${report.stages.map((s) => `${s.name} ${s.use} ${s.dims}${s.rank < s.dims ? `→${s.rank}` : ''}`).join(', ')}`,
    `  threshold: ${report.threshold.toFixed(2)}, keeps ${percent(report.keptShare)} of the photos (each scored by a profile fitted without it)`,
    `  energy fallback threshold for this model: ${report.energyThreshold.toFixed(3)}`,
  ]
  if (report.top1 !== undefined) {
    lines.push(`  top-1: ${percent(report.top1)} overall, ${percent(report.top1Kept)} on the photos kept`)
    lines.push(
      `  calibration: temperature ${report.temperature.toFixed(3)} (per predicted class); ` +
        `ECE ${percent(report.eceBefore)} before, ${percent(report.eceAfter)} after (out of fold)`,
    )
  } else {
    lines.push('  calibration: none (no labels; pass --labels-from-folders to fit the temperatures)')
  }
  return lines.join('\n')
}

async function main(): Promise<void> {
  let parsed
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        images: { type: 'string' },
        'labels-from-folders': { type: 'boolean', default: false },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    })
  } catch (error) {
    fail(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`)
  }
  const { values, positionals } = parsed
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  if (positionals.length !== 1 || values.images === undefined) fail(USAGE)
  const modelPath = resolve(positionals[0]!)
  const out = resolve(values.out ?? profilePathFor(modelPath) ?? `${modelPath}.profile.json`)

  const model = await readModel(createNativeEngine(1), modelPath, labelsDir).catch((error: unknown) =>
    fail(`Cannot read ${modelPath}: ${error instanceof Error ? error.message : String(error)}`),
  )
  const { card } = model
  const paths = (await collectInputs([resolve(values.images)]))
    .filter((input) => input.error === undefined)
    .map((input) => input.path)
  if (paths.length === 0) fail(`No images found under ${values.images}.`)
  const classOf = values['labels-from-folders'] ? folderClasses(card.labels) : undefined

  process.stderr.write(`${card.name}: reading ${paths.length} images…\n`)
  const extractor = await openFeatureExtractor(modelPath, card)
  const features: Float32Array[] = []
  const logits: Float32Array[] = []
  const labels: (number | undefined)[] = []
  let failed = 0
  const started = performance.now()
  for await (const result of extractor.extract(paths, {
    onProgress: (done, total) => {
      if (done % 512 < 32 || done === total) {
        const rate = done / ((performance.now() - started) / 1000)
        process.stderr.write(`  ${done}/${total} images (${rate.toFixed(0)} images/s)\n`)
      }
    },
  })) {
    if ('error' in result) {
      failed++
      process.stderr.write(`  skipped ${result.path}: ${result.error}\n`)
      continue
    }
    features.push(result.features)
    logits.push(result.logits)
    labels.push(classOf?.(result.path))
  }
  await extractor.release()
  if (classOf && labels.every((label) => label === undefined)) {
    process.stderr.write('  note: no folder names one of the model’s labels; the profile is built without labels\n')
  }
  process.stderr.write(
    `Fitting the profile to ${features.length} images${failed > 0 ? ` (${failed} unreadable)` : ''}…\n`,
  )
  const { profile, report } = fitProfile({
    sha256: card.sha256,
    layout: extractor.layout,
    classes: card.labels,
    features,
    logits,
    labels,
  })
  const text = `${JSON.stringify(profile)}\n`
  await writeFileAtomic(out, text)
  process.stdout.write(`${formatReport(report, out, Buffer.byteLength(text))}\n`)
}

await main()
