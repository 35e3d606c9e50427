import type { Classifier } from '../../../shared/engine/classifier'
import { runImages } from '../../../shared/engine/image-outputs'
import { FEATURES_OUTPUT } from '../../../shared/knowledge/features'
import { messageOf, type OrtWeb } from './worker-runtime'

/** A session that ran once, and the length of the features its model gives (undefined: logits only). */
export interface WarmSession {
  classifier: Classifier
  featureLength: number | undefined
}

/** The part of a GPUDevice the warm-up uses to hear of its run's validation errors. */
export interface ErrorScopes {
  pushErrorScope(filter: 'validation'): void
  popErrorScope(): Promise<{ message: string } | null>
}

/** The device ORT's WebGPU backend runs on (once a WebGPU session exists). */
export async function webGpuDevice(ort: OrtWeb): Promise<ErrorScopes | undefined> {
  try {
    const device = (await (ort.env.webgpu.device as unknown as Promise<unknown>)) as Partial<ErrorScopes> | undefined
    return typeof device?.pushErrorScope === 'function' && typeof device.popErrorScope === 'function'
      ? (device as ErrorScopes)
      : undefined
  } catch {
    return undefined
  }
}

/**
 * One run on a blank image: the first run allocates buffers (and compiles shaders on WebGPU), so
 * it should not be charged to the first photo; and a provider that can create a session but not
 * run it fails here, where Auto can still fall back. A features model runs as photos will (logits
 * and features), which also tells how many features it gives per image.
 *
 * WebGPU reports a kernel it cannot build (one over the device's limits, say) as a validation error
 * on the device, while the run itself "succeeds" with zeros: `device`'s error scope catches those.
 */
export async function warmedUp(classifier: Classifier, device?: ErrorScopes): Promise<WarmSession> {
  try {
    const blank = new Float32Array(classifier.tensorLength)
    let featureLength: number | undefined
    device?.pushErrorScope('validation')
    const ran = (async () => {
      const [outputs] = await runImages(classifier, [blank], FEATURES_OUTPUT)
      const features = outputs?.features
      featureLength = features && features.length > 0 ? features.length : undefined
    })()
    // The scope is closed whether or not the run threw; a run error comes first.
    const settledRun = await ran.then(
      () => undefined,
      (error: unknown) => ({ error }),
    )
    const invalid = await device?.popErrorScope()
    if (settledRun) throw settledRun.error
    if (invalid) throw new Error(`the GPU refused a kernel of this model (${messageOf(invalid.message)})`)
    return { classifier, featureLength }
  } catch (error) {
    await classifier.release().catch(() => undefined)
    throw error
  }
}
