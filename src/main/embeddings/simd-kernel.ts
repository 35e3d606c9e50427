/**
 * The similarity scan's inner loop as WebAssembly SIMD (`SimilarityIndex`): dot products of a float32 query with
 * float16 rows, 16 values a step. Plain JS reaches about 100 ms for 50,000 × 2,048; this, about 20 ms.
 */

/**
 * The part of the WebAssembly JS API used here. Node and Electron have it all; tsconfig.node.json's libs (ES2023,
 * no DOM) do not declare it.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer
  grow(pages: number): number
}
interface WasmApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: unknown }
  validate(bytes: Uint8Array): boolean
}
export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

export interface Kernel {
  /** scores[r] = Σ query[i] × row_r[i] for r < count: query float32 at `q`, rows float16 from `m`, `stride` apart. */
  dotF16(q: number, m: number, count: number, stride: number, out: number): void
  /** The same over float32 rows (kept for measurement: `scripts/bench-similar-index.ts`). */
  dotF32(q: number, m: number, count: number, stride: number, out: number): void
}

let kernelModule: object | null | undefined

/** The kernel bound to `memory`, or null where WebAssembly SIMD is unavailable. */
export function simdKernel(memory: WasmMemory): Kernel | null {
  if (kernelModule === undefined) {
    const bytes = kernelBytes()
    kernelModule = wasm.validate(bytes) ? new wasm.Module(bytes) : null
  }
  if (!kernelModule) return null
  const instance = new wasm.Instance(kernelModule, { env: { memory } })
  return instance.exports as unknown as Kernel
}

/*
 * Hand-assembled so that no toolchain is needed. Both functions take (q, m, count, stride, out), byte offsets
 * except count and stride (values a row, a multiple of 16), and loop: for each row, 4 f32x4 accumulators over 16
 * values a step, then the lanes summed into out[row].
 *
 * float16 → float32 (exact for every finite value; embeddings hold no infinities or NaNs): with h the 16 bits
 * sign-extended to 32, (h << 13) & 0x8fffe000 is the sign in place and the exponent and mantissa 13 bits up, and
 * as a float32 times 2^112 it is the value (rebiasing the exponent; subnormals come out right too).
 */
// prettier-ignore
function kernelBytes(): Uint8Array {
  const I32 = 0x7f
  const V128 = 0x7b
  // Locals after the 5 parameters (0 q, 1 m, 2 count, 3 stride, 4 out).
  const END = 5
  const QP = 6
  const ACC = [7, 8, 9, 10]
  const T = 11
  const H = 12
  const get = (i: number): number[] => [0x20, i]
  const set = (i: number): number[] => [0x21, i]
  const tee = (i: number): number[] => [0x22, i]
  const i32 = (value: number): number[] => [0x41, ...sleb(value)]
  const simd = (op: number, ...immediates: number[]): number[] => [0xfd, ...uleb(op), ...immediates]
  const load = (offset: number): number[] => simd(0x00, 0, ...uleb(offset)) // v128.load align=1
  const splat32 = (bits: number): number[] => {
    const le = [0, 8, 16, 24].map((shift) => (bits >>> shift) & 0xff)
    return simd(0x0c, ...le, ...le, ...le, ...le) // v128.const i32x4 bits × 4
  }
  const zero = simd(0x0c, ...new Array<number>(16).fill(0)) // v128.const 0
  const f32x4Add = simd(0xe4)
  const f32x4Mul = simd(0xe6)
  const and = simd(0x4e)
  const shl = simd(0xab) // i32x4.shl
  const lane = (i: number): number[] => simd(0x1f, i) // f32x4.extract_lane
  const f32Add = [0x92]

  /** acc += f32(T) × query[qp + offset] (T holds 4 float16 sign-extended to i32). */
  const halfTimesQuery = (acc: number, offset: number): number[] => [
    ...get(T),
    ...i32(13),
    ...shl,
    ...splat32(0x8fffe000), // sign | exponent and mantissa << 13
    ...and,
    ...splat32(0x77800000), // 2^112 as float32 bits
    ...f32x4Mul,
    ...get(QP),
    ...load(offset),
    ...f32x4Mul,
    ...get(acc),
    ...f32x4Add,
    ...set(acc),
  ]

  const rowLoop = (rowBytesShift: number, step: number[], stepBytes: number): number[] => [
    0x02, 0x40, // block
    ...get(2), 0x45, 0x0d, 0, // count == 0: br_if out
    0x03, 0x40, // loop (rows)
    ...ACC.flatMap((acc) => [...zero, ...set(acc)]),
    ...get(0), ...set(QP),
    ...get(1), ...get(3), ...i32(rowBytesShift), 0x74, 0x6a, ...set(END), // end = m + (stride << shift)
    0x03, 0x40, // loop (values)
    ...step,
    ...get(QP), ...i32(64), 0x6a, ...set(QP),
    ...get(1), ...i32(stepBytes), 0x6a, ...tee(1),
    ...get(END), 0x49, 0x0d, 0, // m < end: br_if values
    0x0b,
    ...get(4),
    ...get(ACC[0]!), ...get(ACC[1]!), ...f32x4Add, ...get(ACC[2]!), ...f32x4Add, ...get(ACC[3]!), ...f32x4Add,
    ...tee(ACC[0]!), ...lane(0),
    ...get(ACC[0]!), ...lane(1), ...f32Add,
    ...get(ACC[0]!), ...lane(2), ...f32Add,
    ...get(ACC[0]!), ...lane(3), ...f32Add,
    0x38, 2, 0, // f32.store
    ...get(4), ...i32(4), 0x6a, ...set(4),
    ...get(2), ...i32(1), 0x6b, ...tee(2), 0x0d, 0, // --count: br_if rows
    0x0b,
    0x0b,
    0x0b, // function end
  ]

  const f16Step = [
    ...get(1), ...load(0), ...tee(H), ...simd(0xa7), ...set(T), // T = i32x4.extend_low_i16x8_s(m[0..8))
    ...halfTimesQuery(ACC[0]!, 0),
    ...get(H), ...simd(0xa8), ...set(T), // extend_high_i16x8_s
    ...halfTimesQuery(ACC[1]!, 16),
    ...get(1), ...load(16), ...tee(H), ...simd(0xa7), ...set(T),
    ...halfTimesQuery(ACC[2]!, 32),
    ...get(H), ...simd(0xa8), ...set(T),
    ...halfTimesQuery(ACC[3]!, 48),
  ]
  const f32Step = ACC.flatMap((acc, i) => [
    ...get(QP), ...load(16 * i), ...get(1), ...load(16 * i), ...f32x4Mul, ...get(acc), ...f32x4Add, ...set(acc),
  ])
  const locals = [2, 2, I32, 6, V128] // 2 groups: 2 i32 (END, QP), 6 v128 (ACC, T, H)
  const body = (code: number[]): number[] => {
    const content = [...locals, ...code]
    return [...uleb(content.length), ...content]
  }
  const f16Body = body(rowLoop(1, f16Step, 32))
  const f32Body = body(rowLoop(2, f32Step, 64))

  const name = (text: string): number[] => [text.length, ...Array.from(text, (c) => c.charCodeAt(0))]
  const section = (id: number, content: number[]): number[] => [id, ...uleb(content.length), ...content]
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 5, I32, I32, I32, I32, I32, 0]), // type: (i32 × 5) → ()
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, 1]), // import memory, min 1 page
    ...section(3, [2, 0, 0]),
    ...section(7, [2, ...name('dotF16'), 0x00, 0, ...name('dotF32'), 0x00, 1]),
    ...section(10, [2, ...f16Body, ...f32Body]),
  ])
}

function uleb(value: number): number[] {
  const out: number[] = []
  let rest = value >>> 0
  do {
    const byte = rest & 0x7f
    rest >>>= 7
    out.push(rest ? byte | 0x80 : byte)
  } while (rest)
  return out
}

function sleb(value: number): number[] {
  const out: number[] = []
  let rest = value | 0
  for (;;) {
    const byte = rest & 0x7f
    rest >>= 7
    const done = (rest === 0 && !(byte & 0x40)) || (rest === -1 && byte & 0x40)
    out.push(done ? byte : byte | 0x80)
    if (done) return out
  }
}
