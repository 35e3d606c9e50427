import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { Classifier } from '../../shared/engine/classifier'
import { parseModelCard, type ModelCard } from '../../shared/model-card'
import { inferCard, sha256Hex } from './infer-card'
import type { NodeEngine } from './node-ort'

export interface LoadedModel {
  classifier: Classifier
  card: ModelCard
  modelPath: string
  /** The card file read, or undefined when the card was inferred from the graph. */
  cardPath: string | undefined
}

/** `model.onnx` -> `model.card.json`; undefined for names that do not end in .onnx. */
export function cardPathFor(modelPath: string): string | undefined {
  return /\.onnx$/i.test(modelPath) ? modelPath.replace(/\.onnx$/i, '.card.json') : undefined
}

/**
 * Loads an ONNX model with the card beside it (`X.card.json` for `X.onnx`), or, when there is none,
 * with a card inferred from the graph. Errors carry a message meant for a person.
 */
export async function loadModel(engine: NodeEngine, modelPath: string, labelsDir: string): Promise<LoadedModel> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(modelPath)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new Error(code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder' : String(error))
  }
  const besideModel = cardPathFor(modelPath)
  const cardPath = besideModel && existsSync(besideModel) ? besideModel : undefined
  let card: ModelCard
  if (cardPath) {
    card = await readCard(cardPath)
    // A card describes one exact file; a different file behind it would get the wrong labels silently.
    if (sha256Hex(bytes) !== card.sha256)
      throw new Error(`the file does not match its card ${cardPath} (sha256 differs)`)
  } else {
    card = await inferCard(engine, bytes, modelPath, labelsDir).catch((error: unknown) => {
      const detail = firstLine(error)
      throw new Error(
        /protobuf parsing failed/i.test(detail) ? 'not an ONNX model' : `cannot read the model (${detail})`,
      )
    })
  }
  const classifier = await Classifier.create(engine.ort, bytes, card, engine.sessionOptions)
  return { classifier, card, modelPath, cardPath }
}

async function readCard(cardPath: string): Promise<ModelCard> {
  let json: unknown
  try {
    json = JSON.parse(await readFile(cardPath, 'utf8'))
  } catch (error) {
    throw new Error(`cannot read the model card ${cardPath} (${firstLine(error)})`)
  }
  try {
    return parseModelCard(json)
  } catch (error) {
    const detail = error instanceof z.ZodError ? z.prettifyError(error).replace(/\n\s*/g, ' ') : firstLine(error)
    throw new Error(`invalid model card ${cardPath}: ${detail}`)
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim()
}
