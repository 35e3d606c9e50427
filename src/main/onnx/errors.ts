/** Why a file was refused; the message is written for people and names what was wrong. */
export type GraphErrorCode =
  'not-onnx' | 'damaged' | 'not-image-classifier' | 'input-too-large' | 'unsupported-operator'

/** A model file that the graph reader cannot read or will not accept. */
export class GraphError extends Error {
  override name = 'GraphError'
  readonly code: GraphErrorCode

  constructor(code: GraphErrorCode, message: string) {
    super(message)
    this.code = code
  }
}
