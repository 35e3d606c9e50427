import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root (this file lives in tests/support). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** `../shared` beside the checkout: models, data sets and photos used as test fixtures. */
export const sharedDir = resolve(repoRoot, '..', 'shared')

/** A path inside ../shared; throws a clear message when the folder or file is missing. */
export function sharedPath(...parts: string[]): string {
  if (!existsSync(sharedDir)) {
    throw new Error(
      `Test fixtures not found: expected the shared folder at ${sharedDir} (beside the repository). ` +
        'See README.md, "Tests".',
    )
  }
  const path = join(sharedDir, ...parts)
  if (!existsSync(path)) throw new Error(`Test fixture missing: ${path}`)
  return path
}

export interface ReferenceRow {
  /** Path relative to the data set folder, e.g. `airplane/0000.jpg`. */
  path: string
  label: number
  resnet56: number
  resnet56P: number
}

export function cifarHalfDir(): string {
  return sharedPath('datasets', 'cifar10-test-half')
}

/** The rows of `reference-predictions.csv`: true label and PyTorch's prediction per image. */
export function readReferencePredictions(): ReferenceRow[] {
  const text = readFileSync(sharedPath('datasets', 'cifar10-test-half', 'reference-predictions.csv'), 'utf8')
  const [header, ...lines] = text.trim().split(/\r?\n/)
  const columns = header!.split(',')
  const col = (name: string): number => {
    const i = columns.indexOf(name)
    if (i < 0) throw new Error(`reference-predictions.csv has no "${name}" column`)
    return i
  }
  const [iPath, iLabel, iPred, iP] = [col('path'), col('label'), col('resnet56_cifar10'), col('resnet56_cifar10_p')]
  return lines.map((line) => {
    const f = line.split(',')
    return { path: f[iPath]!, label: Number(f[iLabel]), resnet56: Number(f[iPred]), resnet56P: Number(f[iP]) }
  })
}

/** PyTorch's top-1 class of one model's column in `reference-predictions.csv` (e.g. `resnet20_ref`), by path. */
export function readReferenceColumn(column: string): Map<string, number> {
  const text = readFileSync(sharedPath('datasets', 'cifar10-test-half', 'reference-predictions.csv'), 'utf8')
  const [header, ...lines] = text.trim().split(/\r?\n/)
  const columns = header!.split(',')
  const at = columns.indexOf(column)
  if (at < 0) throw new Error(`reference-predictions.csv has no "${column}" column`)
  return new Map(lines.map((line) => line.split(',')).map((f) => [f[0]!, Number(f[at])]))
}
