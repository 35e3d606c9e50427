/** The ONNX graph reader: what an image classifier's graph says about itself, without running it. */
export { readModelGraph, MAX_INPUT_SIDE, ASSUMED_INPUT_SIDE } from './read-model-graph'
export { GraphError, type GraphErrorCode } from './errors'
export { SUPPORTED_OPERATORS, SUPPORTED_MICROSOFT_OPERATORS } from './operators'
export { modelProtoType } from './protobuf'
export type * from './types'
