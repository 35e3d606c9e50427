/** What shape propagation knows about one tensor of the graph, for a batch of one image. */
export interface TensorInfo {
  /** Concrete shape (batch 1, the analysed input size); undefined where it could not be worked out. */
  shape?: number[]
  /** `TensorProto.DataType` of the elements, where known. */
  elemType?: number
  /**
   * True when the value does not depend on the image: initializers, Constant nodes, and everything computed from
   * them or from known shapes (the shape arithmetic exporters emit for Flatten, Pad and the like).
   */
  constant: boolean
  /** Element values of small constant tensors (shape constants, pads, axes…). */
  values?: number[]
}

export type TensorInfos = Map<string, TensorInfo>

/** An operator's inputs as shape propagation knows them (`i`: the input's position). */
export interface OperatorInputs {
  info(i: number): TensorInfo | undefined
  shape(i: number): number[] | undefined
  values(i: number): number[] | undefined
  present(i: number): boolean
  count: number
}

/** What an operator's rule works out for one output (`constant` defaults to: all inputs are). */
export type OperatorOutput = Omit<TensorInfo, 'constant'> & { constant?: boolean }
