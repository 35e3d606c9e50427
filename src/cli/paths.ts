import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root (this file lives in src/cli), so the CLI works from any working folder. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const resourcesDir = join(repoRoot, 'resources')
export const labelsDir = join(resourcesDir, 'labels')
export const defaultModelPath = join(resourcesDir, 'models', 'resnet56-cifar10.onnx')
