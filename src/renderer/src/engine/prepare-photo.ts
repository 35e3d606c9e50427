import type { ClassifierCard } from '../../../shared/engine/classifier'
import { preprocess } from '../../../shared/preprocess/preprocess'
import { DecodeError } from './decode'
import type { FailureKind } from './messages'
import { messageOf, type WorkerRuntime } from './worker-runtime'

/** A photo decoded and preprocessed for a model. */
export interface PreparedPhoto {
  card: ClassifierCard
  tensor: Float32Array
  /** Decode + preprocess time (with any wait for the model's card). */
  decodeMs: number
  width: number
  height: number
}

/** The model was not loaded, so a photo could not be prepared for it. */
export class LoadFailure extends Error {}

/**
 * Decodes a photo, then preprocesses it with the shared module (the CLI runs the same code) for the card
 * `cardFor` gives once it is decoded; the RGBA pixels are dropped right after. A card that cannot be had
 * rejects with a `LoadFailure`.
 */
export async function preparePhoto(
  decode: WorkerRuntime['decode'],
  file: Blob,
  cardFor: () => Promise<ClassifierCard>,
): Promise<PreparedPhoto> {
  const started = performance.now()
  const image = await decode(file)
  let card: ClassifierCard
  try {
    card = await cardFor()
  } catch (error) {
    throw new LoadFailure(messageOf(error))
  }
  const tensor = preprocess(image, card)
  return { card, tensor, decodeMs: performance.now() - started, width: image.width, height: image.height }
}

/** Why a photo could not be prepared or classified, as the page is told. */
export function failureOf(error: unknown): { kind: FailureKind; message: string } {
  if (error instanceof DecodeError) return { kind: 'decode', message: error.message }
  if (error instanceof LoadFailure) return { kind: 'load', message: `The model is not loaded: ${error.message}` }
  return { kind: 'inference', message: `Could not classify this photo: ${messageOf(error)}` }
}
