import { readFileSync } from 'node:fs'
import type { GraphSummary, ModelCard } from '../../shared/model-card'
import { readModelGraph } from '../onnx/read-model-graph'
import type { GraphReport } from '../onnx/types'
import type { GraphReading } from './import-model'

/** The part of the graph reader's report that the library keeps on a model's card. */
export function summarizeGraph(report: GraphReport): GraphSummary {
  return {
    opset: report.opset,
    architecture: report.architecture,
    params: report.params,
    macs: report.macs,
    ...(report.depth !== null && { depth: report.depth }),
    ...(report.depthFormula !== null && { depthFormula: report.depthFormula }),
    operators: report.operators,
    stages: report.stages.map((stage) => ({
      name: stage.name,
      ...(stage.paperName !== undefined && { paperName: stage.paperName }),
      kind: stage.kind,
      blocks: stage.blocks,
      output: stage.output,
      params: stage.params,
      macs: stage.macs,
    })),
    assumedInput: report.assumedInput,
  }
}

/** Reads a model file's graph for the importer (throws GraphError with a message for people). */
export function readGraphForImport(bytes: Uint8Array): GraphReading {
  const report = readModelGraph(bytes)
  return {
    input: {
      name: report.input.name,
      shape: report.input.shape,
      height: report.input.height ?? report.analysedSize.height,
      width: report.input.width ?? report.analysedSize.width,
    },
    output: { name: report.output.name, classes: report.classes },
    summary: summarizeGraph(report),
  }
}

/** Adds what the graph says (stages, parameters, compute) to a bundled model's card. */
export function describeBuiltin(card: ModelCard, file: string): ModelCard {
  return { ...card, graph: summarizeGraph(readModelGraph(readFileSync(file))) }
}
