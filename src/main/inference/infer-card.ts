import { createHash } from 'node:crypto'
import { basename } from 'node:path'
import type * as Ort from 'onnxruntime-web'
import { parseModelCard, type ModelCard } from '../../shared/model-card'
import { readBuiltinLabels } from '../models/labels'
import { suggestLabelList, suggestPreprocessing } from '../models/presets'
import type { NodeEngine } from './node-ort'

/** What a model card can be built from when a graph comes without one. */
export interface GraphFacts {
  inputName: string
  height: number
  width: number
  outputName: string
  classes: number
}

type Session = Pick<Ort.InferenceSession, 'inputNames' | 'outputNames' | 'inputMetadata' | 'outputMetadata' | 'run'>

/** Reads input/output names and sizes from a session; runs one dummy image when the class count is symbolic. */
export async function readGraphFacts(ort: NodeEngine['ort'], session: Session): Promise<GraphFacts> {
  if (session.inputNames.length !== 1) {
    throw new Error(`the model has ${session.inputNames.length} inputs; only models with one image input are supported`)
  }
  const input = session.inputMetadata[0]
  const inputName = session.inputNames[0]!
  if (!input?.isTensor) throw new Error(`input "${inputName}" is not a tensor`)
  if (input.type !== 'float32')
    throw new Error(`input "${inputName}" is ${input.type}; only float32 inputs are supported`)
  const [, channels, height, width] = input.shape
  if (input.shape.length !== 4 || channels !== 3 || typeof height !== 'number' || typeof width !== 'number') {
    throw new Error(
      `input "${inputName}" has shape [${input.shape.join(', ')}]; expected N×3×H×W with a fixed height and width`,
    )
  }
  const outputName = session.outputNames[0]
  if (outputName === undefined) throw new Error('the model has no outputs')
  const output = session.outputMetadata[0]
  const declared = output?.isTensor && output.shape.length === 2 ? output.shape[1] : undefined
  const classes =
    typeof declared === 'number' ? declared : await probeClassCount(ort, session, inputName, outputName, height, width)
  return { inputName, height, width, outputName, classes }
}

async function probeClassCount(
  ort: NodeEngine['ort'],
  session: Session,
  inputName: string,
  outputName: string,
  height: number,
  width: number,
): Promise<number> {
  const input = new ort.Tensor('float32', new Float32Array(3 * height * width), [1, 3, height, width])
  const results = await session.run({ [inputName]: input }, [outputName])
  const dims = results[outputName]?.dims ?? []
  if (dims.length !== 2 || dims[0] !== 1 || !(dims[1]! > 0)) {
    throw new Error(`output "${outputName}" has shape [${dims.join(', ')}] for one image; expected [1, classes]`)
  }
  return dims[1]!
}

/** Label names for a class count: a built-in list when one fits, else "class N". */
export async function labelsFor(classes: number, height: number, labelsDir: string): Promise<string[]> {
  const list = suggestLabelList(classes, height)
  if (list) return readBuiltinLabels(labelsDir, list)
  return Array.from({ length: classes }, (_, i) => `class ${i}`)
}

/** A valid card id from a file name ("ResNet 50.onnx" -> "resnet-50"). */
export function cardIdFor(fileName: string): string {
  const slug = fileName
    .replace(/\.onnx$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
    .slice(0, 64)
  return slug || 'model'
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** A model card built from what the graph itself says, for a model that comes without one. */
export async function inferCard(
  engine: NodeEngine,
  bytes: Uint8Array,
  modelPath: string,
  labelsDir: string,
): Promise<ModelCard> {
  const session = await engine.ort.InferenceSession.create(bytes, engine.sessionOptions)
  let facts: GraphFacts
  try {
    facts = await readGraphFacts(engine.ort, session)
  } finally {
    await session.release()
  }
  const file = basename(modelPath)
  return parseModelCard({
    id: cardIdFor(file),
    name: file,
    architecture: 'unknown (card inferred from the graph)',
    file,
    sha256: sha256Hex(bytes),
    source: modelPath,
    input: { name: facts.inputName, layout: 'NCHW', channels: 3, height: facts.height, width: facts.width },
    output: { name: facts.outputName, classes: facts.classes },
    labels: await labelsFor(facts.classes, facts.height, labelsDir),
    preprocessing: suggestPreprocessing(facts.height, facts.width),
  })
}
