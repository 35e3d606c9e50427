import { SAME_SHAPE_OPERATORS } from '../operators'
import { DataType, isFloatType, type OnnxNode } from '../protobuf'
import { attr, attrInt, attrInts, attrString } from './attributes'
import { broadcastReader, broadcastShapes, MAX_VALUES, normAxis, numel, stridesOf, tabulate } from './tensor-math'
import type { OperatorInputs, OperatorOutput } from './types'

/** Element-wise operators of two or more tensors (broadcast), and how to evaluate them on known values. */
const BINARY: Record<string, (a: number, b: number, int: boolean) => number> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b, int) => (int ? Math.trunc(a / b) : a / b),
  Pow: (a, b) => a ** b,
  Max: (a, b) => Math.max(a, b),
  Min: (a, b) => Math.min(a, b),
  Sum: (a, b) => a + b,
  Equal: (a, b) => (a === b ? 1 : 0),
  Less: (a, b) => (a < b ? 1 : 0),
  Greater: (a, b) => (a > b ? 1 : 0),
}

const isIntType = (t: number | undefined): boolean => t !== undefined && !isFloatType(t)

/** Output size of a windowed operator (Conv, pools) along each spatial axis. */
function windowed(
  node: OnnxNode,
  x: readonly number[],
  kernel: readonly number[],
  ceil: boolean,
): number[] | undefined {
  const spatial = x.slice(2)
  if (kernel.length !== spatial.length) return undefined
  const strides = attrInts(node, 'strides') ?? spatial.map(() => 1)
  const dilations = attrInts(node, 'dilations') ?? spatial.map(() => 1)
  const autoPad = attrString(node, 'auto_pad', 'NOTSET')
  const pads = attrInts(node, 'pads') ?? new Array<number>(spatial.length * 2).fill(0)
  return spatial.map((size, i) => {
    const s = strides[i] ?? 1
    const k = (dilations[i] ?? 1) * (kernel[i]! - 1) + 1
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return Math.ceil(size / s)
    if (autoPad === 'VALID') return Math.floor((size - k) / s) + 1
    const padded = size + (pads[i] ?? 0) + (pads[i + spatial.length] ?? 0) - k
    return (ceil ? Math.ceil(padded / s) : Math.floor(padded / s)) + 1
  })
}

function sliceShape(
  shape: readonly number[],
  starts: readonly number[],
  ends: readonly number[],
  axesIn: readonly number[] | undefined,
  stepsIn: readonly number[] | undefined,
) {
  const axes = (axesIn ?? starts.map((_, i) => i)).map((a) => normAxis(a, shape.length))
  const out = [...shape]
  const first = shape.map(() => 0)
  const step = shape.map(() => 1)
  for (let i = 0; i < axes.length; i++) {
    const axis = axes[i]!
    const dim = shape[axis]
    if (dim === undefined) return undefined
    const st = stepsIn?.[i] ?? 1
    let start = starts[i]!
    let end = ends[i]!
    if (start < 0) start += dim
    if (end < 0) end += dim
    if (st > 0) {
      start = Math.min(Math.max(start, 0), dim)
      end = Math.min(Math.max(end, 0), dim)
    } else {
      start = Math.min(Math.max(start, 0), dim - 1)
      end = Math.min(Math.max(end, -1), dim - 1)
    }
    out[axis] = Math.max(0, Math.ceil((end - start) / st))
    first[axis] = start
    step[axis] = st
  }
  return { out, first, step }
}

/**
 * The shapes (and, for small constant tensors, the values) of one node's outputs, from what is known of its
 * inputs. One case per operator, so it reads better whole; an operator without a rule gives unknown outputs.
 */
export function inferOutputs(node: OnnxNode, input: OperatorInputs, opset: number): OperatorOutput[] {
  const op = node.opType
  const x = input.shape(0)
  const t0 = input.info(0)?.elemType

  if (SAME_SHAPE_OPERATORS.has(op)) {
    const out: OperatorOutput = { ...(x && { shape: x }), ...(t0 !== undefined && { elemType: t0 }) }
    const v = input.values(0)
    if (op === 'Identity' && v) out.values = v
    if (op === 'Neg' && v) out.values = v.map((n) => -n)
    if (op === 'QuantizeLinear') out.elemType = DataType.UINT8
    if (op === 'DequantizeLinear') out.elemType = DataType.FLOAT
    return [out]
  }

  switch (op) {
    case 'Cast':
    case 'CastLike': {
      const to = op === 'Cast' ? attrInt(node, 'to', DataType.FLOAT) : input.info(1)?.elemType
      const v = input.values(0)
      return [
        {
          ...(x && { shape: x }),
          ...(to !== undefined && { elemType: to }),
          ...(v && { values: isIntType(to) ? v.map(Math.trunc) : v }),
        },
      ]
    }
    case 'Constant': {
      const a = [...node.attributes.values()][0]
      if (a?.kind === 'tensor') {
        return [{ shape: a.value.dims, elemType: a.value.dataType, ...(a.value.values && { values: a.value.values }) }]
      }
      if (a?.kind === 'int') return [{ shape: [], elemType: DataType.INT64, values: [a.value] }]
      if (a?.kind === 'ints') return [{ shape: [a.value.length], elemType: DataType.INT64, values: a.value }]
      if (a?.kind === 'float') return [{ shape: [], elemType: DataType.FLOAT, values: [a.value] }]
      if (a?.kind === 'floats') return [{ shape: [a.value.length], elemType: DataType.FLOAT, values: a.value }]
      return [{}]
    }
    case 'ConstantOfShape': {
      const shape = input.values(0)
      if (!shape) return [{}]
      const a = attr(node, 'value')
      const fill = a?.kind === 'tensor' ? (a.value.values?.[0] ?? 0) : 0
      const elemType = a?.kind === 'tensor' ? a.value.dataType : DataType.FLOAT
      const values = numel(shape) <= MAX_VALUES ? new Array<number>(numel(shape)).fill(fill) : undefined
      return [{ shape, elemType, ...(values && { values }) }]
    }
    case 'Shape': {
      if (!x) return [{ elemType: DataType.INT64 }]
      const start = normAxis(attrInt(node, 'start', 0), x.length)
      const endAttr = attrInt(node, 'end', x.length)
      const end = Math.min(normAxis(endAttr, x.length), x.length)
      const values = x.slice(Math.max(0, start), end)
      return [{ shape: [values.length], elemType: DataType.INT64, values, constant: true }]
    }
    case 'Size':
      return [{ shape: [], elemType: DataType.INT64, ...(x && { values: [numel(x)], constant: true }) }]
    case 'Conv':
    case 'ConvInteger':
    case 'QLinearConv':
    case 'FusedConv': {
      const w = input.shape(op === 'QLinearConv' ? 3 : 1)
      if (!x || !w || x.length < 3) return [{}]
      const spatial = windowed(node, x, attrInts(node, 'kernel_shape') ?? w.slice(2), false)
      const elemType = op === 'QLinearConv' ? DataType.UINT8 : op === 'ConvInteger' ? DataType.INT32 : t0
      return [{ ...(spatial && { shape: [x[0]!, w[0]!, ...spatial] }), ...(elemType && { elemType }) }]
    }
    case 'ConvTranspose': {
      const w = input.shape(1)
      if (!x || !w) return [{}]
      const explicit = attrInts(node, 'output_shape')
      const group = attrInt(node, 'group', 1)
      const kernel = attrInts(node, 'kernel_shape') ?? w.slice(2)
      const strides = attrInts(node, 'strides') ?? kernel.map(() => 1)
      const pads = attrInts(node, 'pads') ?? new Array<number>(kernel.length * 2).fill(0)
      const outPad = attrInts(node, 'output_padding') ?? kernel.map(() => 0)
      const dil = attrInts(node, 'dilations') ?? kernel.map(() => 1)
      const spatial =
        explicit ??
        x
          .slice(2)
          .map(
            (n, i) =>
              strides[i]! * (n - 1) + outPad[i]! + (kernel[i]! - 1) * dil[i]! + 1 - pads[i]! - pads[i + kernel.length]!,
          )
      return [{ shape: [x[0]!, w[1]! * group, ...spatial], ...(t0 && { elemType: t0 }) }]
    }
    case 'MaxPool':
    case 'AveragePool':
    case 'LpPool':
    case 'QLinearAveragePool':
    case 'NhwcMaxPool': {
      const kernel = attrInts(node, 'kernel_shape')
      if (!x || !kernel) return [{}]
      const spatial = windowed(node, x, kernel, attrInt(node, 'ceil_mode', 0) === 1)
      return [{ ...(spatial && { shape: [x[0]!, x[1]!, ...spatial] }), ...(t0 && { elemType: t0 }) }]
    }
    case 'GlobalAveragePool':
    case 'GlobalMaxPool':
    case 'QLinearGlobalAveragePool':
      return [{ ...(x && { shape: [x[0]!, x[1]!, ...x.slice(2).map(() => 1)] }), ...(t0 && { elemType: t0 }) }]
    case 'Flatten': {
      if (!x) return [{}]
      const axis = normAxis(attrInt(node, 'axis', 1), x.length)
      return [{ shape: [numel(x.slice(0, axis)), numel(x.slice(axis))], ...(t0 && { elemType: t0 }) }]
    }
    case 'Reshape': {
      const target = opset >= 5 ? input.values(1) : attrInts(node, 'shape')
      if (!x || !target) return [{}]
      const allowZero = attrInt(node, 'allowzero', 0) === 1
      const shape = target.map((d, i) => (d === 0 && !allowZero ? (x[i] ?? 0) : d))
      const known = numel(shape.filter((d) => d !== -1))
      // The shapes are read for one image; a -1 that would not divide it is a batch axis grouping several images
      // (a photo's views: see `foldViews` in feature-graph.ts), one group of them.
      const inferred = (size: number) => (Number.isInteger(size) ? size : Math.max(1, Math.floor(size)))
      const resolved = shape.map((d) => (d === -1 ? (known === 0 ? 0 : inferred(numel(x) / known)) : d))
      const v = input.values(0)
      return [{ shape: resolved, ...(t0 && { elemType: t0 }), ...(v && { values: v }) }]
    }
    case 'Squeeze':
    case 'Unsqueeze': {
      if (!x) return [{}]
      const axes = opset >= 13 ? input.values(1) : attrInts(node, 'axes')
      const v = input.values(0)
      let shape: number[]
      if (op === 'Squeeze') {
        const drop = axes?.map((a) => normAxis(a, x.length))
        shape = x.filter((d, i) => (drop ? !drop.includes(i) : d !== 1))
      } else {
        if (!axes) return [{}]
        const rank = x.length + axes.length
        const add = axes.map((a) => normAxis(a, rank))
        shape = []
        let next = 0
        for (let i = 0; i < rank; i++) shape.push(add.includes(i) ? 1 : x[next++]!)
      }
      return [{ shape, ...(t0 && { elemType: t0 }), ...(v && { values: v }) }]
    }
    case 'Transpose': {
      if (!x) return [{}]
      const perm = attrInts(node, 'perm') ?? x.map((_, i) => x.length - 1 - i)
      const shape = perm.map((p) => x[p]!)
      const v = input.values(0)
      let values: number[] | undefined
      if (v) {
        const strides = stridesOf(x)
        values = tabulate(shape, (index) => v[perm.reduce((flat, p, i) => flat + index[i]! * strides[p]!, 0)]!)
      }
      return [{ shape, ...(t0 && { elemType: t0 }), ...(values && { values }) }]
    }
    case 'Concat': {
      const shapes = Array.from({ length: input.count }, (_, i) => input.shape(i)).filter((_, i) => input.present(i))
      if (shapes.some((s) => s === undefined) || shapes.length === 0) return [{}]
      const all = shapes as number[][]
      const axis = normAxis(attrInt(node, 'axis', 0), all[0]!.length)
      const shape = [...all[0]!]
      shape[axis] = all.reduce((sum, s) => sum + s[axis]!, 0)
      let values: number[] | undefined
      const parts = Array.from({ length: input.count }, (_, i) => input.values(i)).filter((_, i) => input.present(i))
      if (parts.every((p) => p !== undefined) && shape.length === 1) values = (parts as number[][]).flat()
      return [{ shape, ...(t0 && { elemType: t0 }), ...(values && { values }) }]
    }
    case 'Slice': {
      if (!x) return [{}]
      const [starts, ends, axes, steps] =
        opset >= 10
          ? [input.values(1), input.values(2), input.present(3) ? input.values(3) : undefined, input.values(4)]
          : [attrInts(node, 'starts'), attrInts(node, 'ends'), attrInts(node, 'axes'), undefined]
      if (!starts || !ends || (opset >= 10 && input.present(3) && !axes) || (input.present(4) && !steps)) return [{}]
      const sliced = sliceShape(x, starts, ends, axes, steps)
      if (!sliced) return [{}]
      const v = input.values(0)
      let values: number[] | undefined
      if (v) {
        const strides = stridesOf(x)
        values = tabulate(
          sliced.out,
          (index) => v[index.reduce((flat, n, d) => flat + (sliced.first[d]! + n * sliced.step[d]!) * strides[d]!, 0)]!,
        )
      }
      return [{ shape: sliced.out, ...(t0 && { elemType: t0 }), ...(values && { values }) }]
    }
    case 'Pad': {
      if (!x) return [{}]
      const pads = opset >= 11 ? input.values(1) : (attrInts(node, 'pads') ?? attrInts(node, 'paddings'))
      if (!pads) return [{}]
      const axes =
        (input.present(3) ? input.values(3) : undefined)?.map((a) => normAxis(a, x.length)) ?? x.map((_, i) => i)
      const shape = [...x]
      axes.forEach((axis, i) => (shape[axis] = shape[axis]! + pads[i]! + pads[i + axes.length]!))
      return [{ shape, ...(t0 && { elemType: t0 }) }]
    }
    case 'Gather': {
      const indices = input.shape(1)
      if (!x || !indices) return [{}]
      const axis = normAxis(attrInt(node, 'axis', 0), x.length)
      const shape = [...x.slice(0, axis), ...indices, ...x.slice(axis + 1)]
      const v = input.values(0)
      const iv = input.values(1)
      let values: number[] | undefined
      if (v && iv) {
        const strides = stridesOf(x)
        values = tabulate(shape, (index) => {
          const idxFlat = index
            .slice(axis, axis + indices.length)
            .reduce((f, n, d) => f + n * stridesOf(indices)[d]!, 0)
          let i = iv[idxFlat]!
          if (i < 0) i += x[axis]!
          const src = [...index.slice(0, axis), i, ...index.slice(axis + indices.length)]
          return v[src.reduce((f, n, d) => f + n * strides[d]!, 0)]!
        })
      }
      return [{ shape, ...(t0 && { elemType: t0 }), ...(values && { values }) }]
    }
    case 'Gemm':
    case 'FusedGemm': {
      const b = input.shape(1)
      if (!x || !b || x.length !== 2 || b.length !== 2) return [{}]
      const m = attrInt(node, 'transA', 0) ? x[1]! : x[0]!
      const n = attrInt(node, 'transB', 0) ? b[0]! : b[1]!
      return [{ shape: [m, n], ...(t0 && { elemType: t0 }) }]
    }
    case 'MatMul':
    case 'MatMulInteger':
    case 'QLinearMatMul':
    case 'FusedMatMul': {
      let a = x
      let b = input.shape(op === 'QLinearMatMul' ? 3 : 1)
      if (!a || !b) return [{}]
      if (op === 'FusedMatMul') {
        if (attrInt(node, 'transA', 0) && a.length >= 2) a = [...a.slice(0, -2), a.at(-1)!, a.at(-2)!]
        if (attrInt(node, 'transB', 0) && b.length >= 2) b = [...b.slice(0, -2), b.at(-1)!, b.at(-2)!]
      }
      const a2 = a.length === 1 ? [1, a[0]!] : a
      const b2 = b.length === 1 ? [b[0]!, 1] : b
      const batch = broadcastShapes([a2.slice(0, -2), b2.slice(0, -2)])
      if (!batch) return [{}]
      const shape = [...batch, ...(a.length === 1 ? [] : [a2.at(-2)!]), ...(b.length === 1 ? [] : [b2.at(-1)!])]
      const elemType = op === 'QLinearMatMul' ? DataType.UINT8 : op === 'MatMulInteger' ? DataType.INT32 : t0
      return [{ shape, ...(elemType && { elemType }) }]
    }
    case 'ReduceMean':
    case 'ReduceMax':
    case 'ReduceMin':
    case 'ReduceSum':
    case 'ReduceL2':
    case 'ArgMax':
    case 'ArgMin': {
      if (!x) return [{}]
      const fromInput = op === 'ReduceSum' ? opset >= 13 : opset >= 18
      let axes: number[] | undefined
      if (op === 'ArgMax' || op === 'ArgMin') axes = [attrInt(node, 'axis', 0)]
      else axes = fromInput ? (input.present(1) ? input.values(1) : []) : (attrInts(node, 'axes') ?? [])
      if (!axes) return [{}]
      if (axes.length === 0 && attrInt(node, 'noop_with_empty_axes', 0) === 1) return [{ shape: x }]
      const reduced = (axes.length === 0 ? x.map((_, i) => i) : axes).map((a) => normAxis(a, x.length))
      const keep = attrInt(node, 'keepdims', 1) === 1
      const shape = keep ? x.map((d, i) => (reduced.includes(i) ? 1 : d)) : x.filter((_, i) => !reduced.includes(i))
      const elemType = op === 'ArgMax' || op === 'ArgMin' ? DataType.INT64 : t0
      return [{ shape, ...(elemType && { elemType }) }]
    }
    case 'Expand':
    case 'Tile': {
      const other = input.values(1)
      if (!x || !other) return [{}]
      const shape = op === 'Expand' ? broadcastShapes([x, other]) : x.map((d, i) => d * (other[i] ?? 1))
      return [{ ...(shape && { shape }), ...(t0 && { elemType: t0 }) }]
    }
    case 'Range': {
      const [start, limit, delta] = [input.values(0)?.[0], input.values(1)?.[0], input.values(2)?.[0]]
      if (start === undefined || limit === undefined || !delta) return [{}]
      const n = Math.max(0, Math.ceil((limit - start) / delta))
      const values = n <= MAX_VALUES ? Array.from({ length: n }, (_, i) => start + i * delta) : undefined
      return [{ shape: [n], ...(t0 && { elemType: t0 }), ...(values && { values }) }]
    }
    case 'Split': {
      if (!x) return node.outputs.map(() => ({}))
      const axis = normAxis(attrInt(node, 'axis', 0), x.length)
      const sizes =
        (opset >= 13 ? input.values(1) : attrInts(node, 'split')) ??
        node.outputs.map(() => Math.ceil(x[axis]! / node.outputs.length))
      return node.outputs.map((_, i) => {
        const shape = [...x]
        shape[axis] = Math.min(sizes[i] ?? 0, x[axis]! - sizes.slice(0, i).reduce((a, b) => a + b, 0))
        return { shape, ...(t0 && { elemType: t0 }) }
      })
    }
    case 'Resize':
    case 'Upsample': {
      if (!x) return [{}]
      const sizes = op === 'Resize' && input.present(3) ? input.values(3) : undefined
      if (sizes) return [{ shape: sizes, ...(t0 && { elemType: t0 }) }]
      const scales = op === 'Resize' ? input.values(2) : input.values(1)
      if (!scales || scales.length !== x.length) return [{}]
      return [{ shape: x.map((d, i) => Math.floor(d * scales[i]!)), ...(t0 && { elemType: t0 }) }]
    }
    case 'DepthToSpace':
    case 'SpaceToDepth': {
      const b = attrInt(node, 'blocksize', 1)
      if (!x || x.length !== 4) return [{}]
      const [n, c, h, w] = x as [number, number, number, number]
      const shape = op === 'DepthToSpace' ? [n, c / (b * b), h * b, w * b] : [n, c * b * b, h / b, w / b]
      return [{ shape, ...(t0 && { elemType: t0 }) }]
    }
    case 'TopK': {
      const k = input.values(1)?.[0]
      if (!x || k === undefined) return [{}, {}]
      const axis = normAxis(attrInt(node, 'axis', -1), x.length)
      const shape = x.map((d, i) => (i === axis ? k : d))
      return [
        { shape, ...(t0 && { elemType: t0 }) },
        { shape, elemType: DataType.INT64 },
      ]
    }
    case 'Where': {
      const shapes = [input.shape(0), input.shape(1), input.shape(2)]
      if (shapes.some((s) => !s)) return [{}]
      const shape = broadcastShapes(shapes as number[][])
      const t1 = input.info(1)?.elemType
      return [{ ...(shape && { shape }), ...(t1 && { elemType: t1 }) }]
    }
    case 'PRelu':
    case 'QLinearAdd':
    case 'QLinearMul':
    case 'Mean':
      return [{ ...(x && { shape: x }), ...(t0 && { elemType: t0 }) }]
  }

  const binary = BINARY[op]
  if (binary) {
    const shapes = Array.from({ length: input.count }, (_, i) => input.shape(i))
    if (shapes.some((s) => !s)) return [{}]
    const shape = broadcastShapes(shapes as number[][])
    if (!shape) return [{}]
    const comparison = op === 'Equal' || op === 'Less' || op === 'Greater'
    const elemType = comparison ? DataType.BOOL : t0
    const parts = Array.from({ length: input.count }, (_, i) => input.values(i))
    let values: number[] | undefined
    if (parts.every((p) => p !== undefined)) {
      const readers = parts.map((p, i) => broadcastReader(shapes[i]!, p!, shape.length))
      const int = isIntType(t0)
      values = tabulate(shape, (index) => readers.map((r) => r(index)).reduce((a, b) => binary(a, b, int)))
    }
    return [{ shape, ...(elemType && { elemType }), ...(values && { values }) }]
  }
  return node.outputs.map(() => ({}))
}
