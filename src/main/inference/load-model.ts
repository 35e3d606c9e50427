import { existsSync } from 'node:fs'
import { withoutViews } from '../../shared/preprocess/views'
import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { Classifier } from '../../shared/engine/classifier'
import { parseModelCard, type ModelCard } from '../../shared/model-card'
import { inferCard, sha256Hex } from './infer-card'
import type { NodeEngine } from './node-ort'

export interface LoadedModel extends ModelFile {
  classifier: Classifier
}

/** `model.onnx` -> `model.card.json`; undefined for names that do not end in .onnx. */
export function cardPathFor(modelPath: string): string | undefined {
  return /\.onnx$/i.test(modelPath) ? modelPath.replace(/\.onnx$/i, '.card.json') : undefined
}

/** `model.onnx` -> `model.onnx.card.json`: the other name a card beside its model may have (`npm run teach` writes it). */
export function fullNameCardPathFor(modelPath: string): string {
  return `${modelPath}.card.json`
}

/** A model file and its card, not loaded into any session. */
export interface ModelFile {
  card: ModelCard
  modelPath: string
  /** The card file read, or undefined when the card was inferred from the graph. */
  cardPath: string | undefined
}

/**
 * Reads an ONNX model's card: the one beside it (`X.card.json` for `X.onnx`), checked against the
 * file's sha256, or, when there is none, one inferred from the graph (which opens a session on
 * `engine` for a moment). Errors carry a message meant for a person.
 */
export async function readModel(engine: NodeEngine, modelPath: string, labelsDir: string): Promise<ModelFile> {
  return (await readModelBytes(engine, modelPath, labelsDir)).model
}

/** Loads an ONNX model with its card (see `readModel`) into a classifier on `engine`. */
export async function loadModel(engine: NodeEngine, modelPath: string, labelsDir: string): Promise<LoadedModel> {
  const { model, bytes } = await readModelBytes(engine, modelPath, labelsDir)
  // Views feed a model's features; a plain classifier runs the photo alone (a saved learned model folds its views
  // in its graph, so it keeps them).
  const card = model.card.learned ? model.card : withoutViews(model.card)
  const classifier = await Classifier.create(engine.ort, bytes, card, engine.sessionOptions)
  return { classifier, ...model }
}

async function readModelBytes(
  engine: NodeEngine,
  modelPath: string,
  labelsDir: string,
): Promise<{ model: ModelFile; bytes: Uint8Array }> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(modelPath)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new Error(code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder' : String(error))
  }
  const cardPath = [cardPathFor(modelPath), fullNameCardPathFor(modelPath)].find(
    (path) => path !== undefined && existsSync(path),
  )
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
  return { model: { card, modelPath, cardPath }, bytes }
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
