/** A node's attributes by type, with the default where the node leaves one out. */
import type { OnnxAttribute, OnnxNode } from '../protobuf'

export function attr(node: OnnxNode, name: string): OnnxAttribute | undefined {
  return node.attributes.get(name)
}
export function attrInt(node: OnnxNode, name: string, fallback: number): number {
  const a = attr(node, name)
  return a?.kind === 'int' ? a.value : fallback
}
export function attrInts(node: OnnxNode, name: string): number[] | undefined {
  const a = attr(node, name)
  return a?.kind === 'ints' ? a.value : undefined
}
export function attrString(node: OnnxNode, name: string, fallback: string): string {
  const a = attr(node, name)
  return a?.kind === 'string' ? a.value : fallback
}
