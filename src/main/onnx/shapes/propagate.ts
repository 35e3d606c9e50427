import { DataType, type OnnxModel, type OnnxValueInfo } from '../protobuf'
import { inferOutputs } from './operator-shapes'
import { numel } from './tensor-math'
import type { OperatorInputs, OperatorOutput, TensorInfo, TensorInfos } from './types'

/** A declared shape with every dimension known (a symbolic first dimension is the batch: 1). */
function declaredShape(info: OnnxValueInfo | undefined): number[] | undefined {
  if (!info?.shape) return undefined
  const dims = info.shape.map((d, i) => (typeof d === 'number' ? d : i === 0 ? 1 : undefined))
  return dims.every((d) => d !== undefined) ? (dims as number[]) : undefined
}

/**
 * Works out every tensor's shape for one image of `inputShape` ([1, 3, H, W]), evaluating the small integer
 * computations exporters emit for shapes and pads. Unknown operators leave their outputs unknown; the exporter's
 * own `value_info` shapes fill in where inference cannot.
 */
export function propagateShapes(model: OnnxModel, inputName: string, inputShape: number[]): TensorInfos {
  const { graph } = model
  const opset = model.opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 1
  const infos: TensorInfos = new Map()
  for (const [name, t] of graph.initializers) {
    infos.set(name, {
      shape: t.dims,
      elemType: t.dataType,
      constant: true,
      ...(t.values && { values: t.values }),
    })
  }
  const inputInfo = graph.inputs.find((i) => i.name === inputName)
  infos.set(inputName, { shape: inputShape, elemType: inputInfo?.elemType ?? DataType.FLOAT, constant: false })

  for (const node of graph.nodes) {
    const present = (i: number): boolean => (node.inputs[i] ?? '') !== ''
    const info = (i: number): TensorInfo | undefined => (present(i) ? infos.get(node.inputs[i]!) : undefined)
    const inputs: OperatorInputs = {
      info,
      shape: (i) => info(i)?.shape,
      values: (i) => info(i)?.values,
      present,
      count: node.inputs.length,
    }
    let outs: OperatorOutput[]
    try {
      outs = inferOutputs(node, inputs, opset)
    } catch {
      outs = []
    }
    const constantInputs = node.inputs.every((name, i) => !present(i) || infos.get(name)?.constant === true)
    node.outputs.forEach((name, i) => {
      if (name === '') return
      const out = outs[i] ?? {}
      const shape = out.shape ?? declaredShape(graph.valueInfo.get(name) ?? graph.outputs.find((o) => o.name === name))
      const valid = shape?.every((d) => Number.isInteger(d) && d >= 0)
      const values = out.values && valid && out.values.length === numel(shape!) ? out.values : undefined
      infos.set(name, {
        ...(valid && { shape }),
        ...(out.elemType !== undefined && { elemType: out.elemType }),
        constant: out.constant === true || constantInputs || values !== undefined,
        ...(values && { values }),
      })
    })
  }
  return infos
}
