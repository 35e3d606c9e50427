/** The engines a model can run on: onnxruntime-web's WebGPU and WASM, and onnxruntime-node's CPU. */
export const ENGINE_KINDS = ['webgpu', 'wasm', 'native'] as const
export type EngineKind = (typeof ENGINE_KINDS)[number]

export const ENGINE_LABELS: Readonly<Record<EngineKind, string>> = {
  webgpu: 'WebGPU',
  wasm: 'WASM',
  native: 'native CPU',
}
