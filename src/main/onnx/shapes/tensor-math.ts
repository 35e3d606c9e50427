/** Small N-d array arithmetic over flat value lists, for evaluating shape computations. */

/** Larger tensors are not evaluated (their values stay unknown): shape arithmetic needs only small ones. */
export const MAX_VALUES = 4096

export const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1)

// ---- small N-d value helpers ----

export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1)
  for (let i = shape.length - 2; i >= 0; i--) strides[i] = strides[i + 1]! * shape[i + 1]!
  return strides
}

/** Builds the values of an output tensor from a function of its multi-index. */
export function tabulate(shape: readonly number[], at: (index: number[]) => number): number[] | undefined {
  const total = numel(shape)
  if (total > MAX_VALUES) return undefined
  const out = new Array<number>(total)
  const index = new Array<number>(shape.length).fill(0)
  for (let flat = 0; flat < total; flat++) {
    out[flat] = at(index)
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d]! < shape[d]!) break
      index[d] = 0
    }
  }
  return out
}

export function broadcastShapes(shapes: readonly (readonly number[])[]): number[] | undefined {
  const rank = Math.max(...shapes.map((s) => s.length))
  const out: number[] = []
  for (let i = 0; i < rank; i++) {
    let dim = 1
    for (const s of shapes) {
      const d = s[s.length - rank + i] ?? 1
      if (d === 1) continue
      if (dim !== 1 && dim !== d) return undefined
      dim = d
    }
    out.push(dim)
  }
  return out
}

/** Reads a broadcast operand at an output index. */
export function broadcastReader(shape: readonly number[], values: readonly number[], outRank: number) {
  const strides = stridesOf(shape)
  const offset = outRank - shape.length
  return (index: readonly number[]): number => {
    let flat = 0
    for (let d = 0; d < shape.length; d++) flat += (shape[d] === 1 ? 0 : index[d + offset]!) * strides[d]!
    return values[flat]!
  }
}

export const normAxis = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis)
