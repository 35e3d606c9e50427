import { CIFAR_PREPROCESSING, IMAGENET_PREPROCESSING, type Preprocessing } from '../../shared/model-card'
import type { BUILTIN_LABEL_LISTS } from '../../shared/ipc/contract'

/** Inputs up to this side are CIFAR-style: the photo's centre square is shrunk to the input. */
const SMALL_INPUT_SIDE = 64

/** CIFAR-style preprocessing for small inputs; torchvision's ImageNet resize and centre crop for the rest. */
export function suggestPreprocessing(height: number, width: number): Preprocessing {
  const side = Math.max(height, width)
  if (side <= SMALL_INPUT_SIDE) return CIFAR_PREPROCESSING
  return { ...IMAGENET_PREPROCESSING, shorterSide: Math.max(256, Math.round((side * 256) / 224)) }
}

/** The built-in label list that fits a model's output, if one does. */
export function suggestLabelList(classes: number, height: number): (typeof BUILTIN_LABEL_LISTS)[number] | undefined {
  if (classes === 1000) return 'imagenet-1k'
  if (classes === 10 && height <= SMALL_INPUT_SIDE) return 'cifar10'
  return undefined
}
