import type { Classifier } from './classifier'

/** One image's outputs: its logits, and its features where the model gives them (a features model). */
export interface ImageOutputs {
  logits: Float32Array
  features?: Float32Array
}

/**
 * Runs preprocessed images (one tensor each) through the model in one inference run: each image's logits and,
 * when the model has the output `featuresOutput` (a features model, see `addFeatureOutputs` in the main process),
 * its features. The rows are views into the run's output arrays: copy one before transferring it.
 */
export async function runImages(
  classifier: Classifier,
  tensors: readonly Float32Array[],
  featuresOutput: string,
): Promise<ImageOutputs[]> {
  if (tensors.length === 0) return []
  const size = classifier.tensorLength
  const batch = new Float32Array(tensors.length * size)
  tensors.forEach((tensor, i) => batch.set(tensor, i * size))
  let logits: Float32Array
  let features: Float32Array | undefined
  if (classifier.hasOutput(featuresOutput)) {
    ;({ logits, features } = await classifier.runWithFeatures(batch, tensors.length, featuresOutput))
  } else {
    logits = await classifier.runBatch(batch, tensors.length)
  }
  const { classes } = classifier.card.output
  const perImage = features ? features.length / tensors.length : 0
  return tensors.map((_, i) => {
    const outputs: ImageOutputs = { logits: logits.subarray(i * classes, (i + 1) * classes) }
    if (features) outputs.features = features.subarray(i * perImage, (i + 1) * perImage)
    return outputs
  })
}
