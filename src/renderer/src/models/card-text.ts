import type { ModelSummary } from '../../../shared/ipc/contract'

const BUILTIN_LABEL_NAMES: Record<string, string> = {
  'imagenet-1k': 'ImageNet-1k',
  cifar10: 'CIFAR-10',
}

/** How many labels each built-in list holds. */
export const BUILTIN_LABEL_COUNTS: Record<string, number> = {
  'imagenet-1k': 1000,
  cifar10: 10,
}

/** "CIFAR-10", "ImageNet-1k", or the labels file's name. */
export function labelsName(source: string | undefined): string {
  if (source === undefined || source === '') return 'From its card'
  return BUILTIN_LABEL_NAMES[source] ?? source
}

export const ORIGIN_NAMES: Record<ModelSummary['origin'], string> = {
  bundled: 'Bundled',
  imported: 'Imported',
  catalog: 'ONNX Model Zoo',
}

/** "224×224" (width × height, as the card's inputSize is). */
export function inputSizeText([width, height]: readonly [number, number]): string {
  return `${width}×${height}`
}
