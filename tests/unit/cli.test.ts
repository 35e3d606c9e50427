import { runCliScript, type CliRun } from '../support/run-cli'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCliArgs, UsageError } from '../../src/cli/args'
import { cardIdFor } from '../../src/main/inference/infer-card'
import { suggestLabelList, suggestPreprocessing } from '../../src/main/models/presets'
import { cifarHalfDir, repoRoot, sharedPath } from '../support/shared'

const CIFAR10 = readFileSync(join(repoRoot, 'resources', 'labels', 'cifar10.txt'), 'utf8')
  .trim()
  .split('\n')

type Run = CliRun

/** Runs the real CLI in a child Node process, by default from the temp folder (not the repo). */
function runCli(args: string[], cwd = work): Promise<Run> {
  // One database for the file's runs: the engines are measured by the first run only.
  return runCliScript('classify.ts', args, { cwd, env: { ...process.env, RESNET_LENS_CLI_DB: join(work, 'cli.db') } })
}

type Line = { path: string; top: { label: string; index: number; p: number }[] } | { path: string; error: string }
const jsonLines = (run: Run): Line[] =>
  run.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line)
const topOf = (line: Line | undefined) => {
  if (!line || !('top' in line)) throw new Error(`expected a classification, got ${JSON.stringify(line)}`)
  return line.top
}

/** Reference CSV rows: path → { label, resnet56, resnet20 } predicted class indices. */
function referenceColumns(): Map<string, { label: number; resnet56: number; resnet20: number }> {
  const [header, ...rows] = readFileSync(join(cifarHalfDir(), 'reference-predictions.csv'), 'utf8')
    .trim()
    .split(/\r?\n/)
  const cols = header!.split(',')
  const at = (name: string) => cols.indexOf(name)
  return new Map(
    rows.map((r) => {
      const f = r.split(',')
      const n = (name: string) => Number(f[at(name)])
      return [f[at('path')]!, { label: n('label'), resnet56: n('resnet56_cifar10'), resnet20: n('resnet20_ref') }]
    }),
  )
}

/**
 * A hand-encoded ONNX model: Flatten of an N×3×4×4 input, with its output declared ["batch", "classes"]
 * so the class count (48) can only be learnt by running it.
 */
function flattenModel(): Uint8Array {
  const varint = (n: number): number[] => (n < 128 ? [n] : [(n & 127) | 128, ...varint(Math.floor(n / 128))])
  const msg = (field: number, body: number[]) => [...varint((field << 3) | 2), ...varint(body.length), ...body]
  const int = (field: number, n: number) => [...varint(field << 3), ...varint(n)]
  const str = (field: number, s: string) => msg(field, [...new TextEncoder().encode(s)])
  const dim = (d: number | string) => msg(1, typeof d === 'number' ? int(1, d) : str(2, d))
  // ValueInfoProto{name, type: TypeProto{tensor_type{elem_type: FLOAT, shape}}}
  const value = (name: string, shape: (number | string)[]) => [
    ...str(1, name),
    ...msg(2, msg(1, [...int(1, 1), ...msg(2, shape.flatMap(dim))])),
  ]
  const node = [...str(1, 'input'), ...str(2, 'logits'), ...str(4, 'Flatten')]
  const graph = [
    ...msg(1, node),
    ...str(2, 'flatten'),
    ...msg(11, value('input', ['batch', 3, 4, 4])),
    ...msg(12, value('logits', ['batch', 'classes'])),
  ]
  return Uint8Array.from([...int(1, 8), ...msg(7, graph), ...msg(8, [...str(1, ''), ...int(2, 13)])])
}

let work: string
/** CIFAR images copied into work/cifar/<class>/, with the reference's predictions. */
let cifar: { path: string; label: number; resnet56: number; resnet20: number }[]

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'resnet-lens-cli-'))
  const reference = referenceColumns()
  // Two images per class for three classes: where both models agree with the truth, plus one where ResNet-20 errs.
  const picks = ['airplane', 'cat', 'ship'].flatMap((cls) =>
    [...reference].filter(([p, r]) => p.startsWith(`${cls}/`) && r.resnet56 === r.label).slice(0, 2),
  )
  const miss = [...reference].find(([, r]) => r.resnet20 !== r.label && r.resnet56 === r.label)
  if (miss && !picks.some(([p]) => p === miss[0])) picks.push(miss)
  cifar = picks.map(([path, r]) => ({ path: `cifar/${path}`, ...r })).sort((a, b) => (a.path < b.path ? -1 : 1))
  for (const image of cifar) {
    mkdirSync(dirname(join(work, image.path)), { recursive: true })
    copyFileSync(join(cifarHalfDir(), image.path.slice('cifar/'.length)), join(work, image.path))
  }
  copyFileSync(sharedPath('photos', 'chelsea.png'), join(work, 'chelsea.png'))
  writeFileSync(
    join(work, 'broken.jpg'),
    Uint8Array.from({ length: 2000 }, (_, i) => (i * 7919 + 13) % 256),
  )
  const rocket = readFileSync(sharedPath('photos', 'rocket.jpg'))
  writeFileSync(join(work, 'truncated.jpg'), rocket.subarray(0, rocket.length >> 1))
  writeFileSync(join(work, 'notes.txt'), 'not a photo\n')
  copyFileSync(sharedPath('photos', 'chelsea.png'), join(work, '.hidden.png'))
  mkdirSync(join(work, 'models'))
  writeFileSync(join(work, 'models', 'flatten.onnx'), flattenModel())
})

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true })
})

describe('classify CLI (spawned)', { timeout: 60_000 }, () => {
  it('classifies a folder as JSON lines, in sorted order, reporting bad files and carrying on', async () => {
    const run = await runCli(['.', '--json'])
    const lines = jsonLines(run)
    expect(lines.map((l) => l.path)).toEqual([
      'broken.jpg',
      'chelsea.png',
      ...cifar.map((c) => c.path),
      'truncated.jpg',
    ])

    expect(lines[0]).toEqual({ path: 'broken.jpg', error: 'not an image or unsupported format' })
    expect(lines.at(-1)).toMatchObject({
      path: 'truncated.jpg',
      error: expect.stringMatching(/^damaged or truncated image/),
    })

    for (const line of lines.filter((l) => 'top' in l)) {
      const top = topOf(line)
      expect(top).toHaveLength(5)
      for (const c of top) {
        expect(c.p).toBeGreaterThanOrEqual(0)
        expect(c.p).toBeLessThanOrEqual(1)
        expect(c.label).toBe(CIFAR10[c.index])
      }
      for (let i = 1; i < top.length; i++) expect(top[i]!.p).toBeLessThanOrEqual(top[i - 1]!.p)
      expect(top.reduce((s, c) => s + c.p, 0)).toBeLessThanOrEqual(1 + 1e-9)
    }
    expect(topOf(lines[1])[0]!.label).toBe('cat')
    for (const image of cifar) {
      expect(topOf(lines.find((l) => l.path === image.path))[0]!.index, image.path).toBe(image.resnet56)
    }

    expect(run.code).toBe(1)
    expect(run.stderr.split('\n')[0]).toBe('Model: ResNet-56 (CIFAR-10) (bundled)')
    // The fastest engine measured on this machine, with the others' figures: native CPU on a CPU-only machine.
    expect(run.stderr.split('\n')[1]).toMatch(
      /^Engine: native CPU: [\d.]+ img\/s; WASM [\d.]+ img\/s; WebGPU: not available in the command line \(it runs in the app window\)$/,
    )
  })

  it('says "unknown" for photos that are none of its classes, with the OOD score and calibrated p', async () => {
    const photos = sharedPath('photos')
    const json = await runCli([photos, '--json'])
    expect(json.code, json.stderr).toBe(0)
    expect(json.stderr).toMatch(/^Knowledge: the model's profile/m)
    const lines = json.stdout
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            path: string
            top: { label: string; p: number }[]
            p: number
            unknown: boolean
            ood: number
          },
      )
    expect(lines).toHaveLength(7)
    for (const line of lines) {
      expect(line.p).toBe(line.top[0]!.p)
      expect(Number.isFinite(line.ood)).toBe(true)
    }
    const chelsea = lines.find((l) => l.path.endsWith('chelsea.png'))!
    expect([chelsea.unknown, chelsea.top[0]!.label]).toEqual([false, 'cat'])
    const others = lines.filter((l) => l !== chelsea)
    expect(others.filter((l) => l.unknown).length, JSON.stringify(others)).toBeGreaterThanOrEqual(5)
    // The score orders photos: every unknown one is further from what the model knows than the cat.
    for (const line of others.filter((l) => l.unknown)) expect(line.ood).toBeGreaterThan(chelsea.ood)

    const text = await runCli([join(photos, 'coffee.png'), join(photos, 'chelsea.png')])
    expect(text.stdout).toMatch(/coffee\.png {2}unknown \(closest: \w+\)\n/)
    expect(text.stdout).toMatch(/chelsea\.png {2}cat \d+\.\d%/)
  })

  it('tries named files whatever their extension, reports missing ones, honours --top 3', async () => {
    const first = cifar[0]!.path
    const run = await runCli([first, 'notes.txt', 'missing.jpg', '--top', '3', '--json'])
    const lines = jsonLines(run)
    expect(lines.map((l) => l.path)).toEqual([first, 'notes.txt', 'missing.jpg'])
    expect(topOf(lines[0])).toHaveLength(3)
    expect(topOf(lines[0])[0]!.index).toBe(cifar[0]!.resnet56)
    expect(lines[1]).toEqual({ path: 'notes.txt', error: 'not an image or unsupported format' })
    expect(lines[2]).toEqual({ path: 'missing.jpg', error: 'file not found' })
    expect(run.code).toBe(1)
  })

  it('prints readable lines and exits 0 when every image is classified', async () => {
    const run = await runCli(['chelsea.png', 'cifar', '-k', '2'])
    expect(run.code).toBe(0)
    const lines = run.stdout.trim().split('\n')
    expect(lines).toHaveLength(1 + cifar.length)
    expect(lines[0]).toMatch(/^chelsea\.png {2}cat \d+\.\d% {2}\S+ (\d+\.\d|<0\.1)%$/)
    expect(lines[1]!.startsWith(`${cifar[0]!.path}  ${CIFAR10[cifar[0]!.resnet56]} `)).toBe(true)
    expect(run.stderr).toMatch(/^Engine: native CPU/m)
    expect(run.stderr).toMatch(new RegExp(`${1 + cifar.length} classified, 0 failed`))
  })

  it('--engine wasm runs onnxruntime-web and says so; webgpu is refused with the reason; others are usage errors', async () => {
    const wasm = await runCli([cifar[0]!.path, '--engine', 'wasm', '--json', '-k', '1'])
    expect(wasm.code, wasm.stderr).toBe(0)
    expect(wasm.stderr).toMatch(
      /^Engine: WASM: [\d.]+ img\/s \(chosen with --engine\); native CPU [\d.]+ img\/s; WebGPU: /m,
    )
    expect(topOf(jsonLines(wasm)[0])[0]!.index).toBe(cifar[0]!.resnet56)
    const webgpu = await runCli([cifar[0]!.path, '--engine', 'webgpu'])
    expect([webgpu.code, webgpu.stderr.trim()]).toEqual([
      1,
      'error: --engine webgpu: WebGPU is not available in the command line (it runs in the app window); use native or wasm',
    ])
    const other = await runCli([cifar[0]!.path, '--engine', 'cuda'])
    expect(other.code).toBe(2)
    expect(other.stderr).toMatch(/^error: --engine expects native, wasm or webgpu, got "cuda"/)
  })

  it('--model without a card infers one from the graph (32×32 → CIFAR preprocessing and labels)', async () => {
    const model = sharedPath('models', 'reference', 'resnet20-cifar10-ref.onnx')
    const run = await runCli(['cifar', '--model', model, '--json'])
    expect(run.code).toBe(0)
    expect(run.stderr).toMatch(/no card; inferred 32×32 input, CIFAR preprocessing, 10 classes, 10 labels/)
    const lines = jsonLines(run)
    expect(lines).toHaveLength(cifar.length)
    cifar.forEach((image, i) => {
      const top = topOf(lines[i])
      expect(top[0]!.index, image.path).toBe(image.resnet20)
      expect(top[0]!.label).toBe(CIFAR10[image.resnet20])
    })
  })

  it('--model learns a symbolic class count by running the graph once, names classes "class N"', async () => {
    const run = await runCli(['chelsea.png', '--model', join('models', 'flatten.onnx'), '--json', '--top', '48'])
    expect(run.code).toBe(0)
    expect(run.stderr).toMatch(/inferred 4×4 input, CIFAR preprocessing, 48 classes, no label names/)
    const top = topOf(jsonLines(run)[0])
    expect(top).toHaveLength(48)
    expect(top.every((c) => c.label === `class ${c.index}`)).toBe(true)
    expect(top.reduce((s, c) => s + c.p, 0)).toBeCloseTo(1, 6)
  })

  it('--model uses the .card.json beside the file, and refuses a card for another file', async () => {
    const card = JSON.parse(readFileSync(join(repoRoot, 'resources', 'models', 'resnet56-cifar10.card.json'), 'utf8'))
    copyFileSync(join(repoRoot, 'resources', 'models', 'resnet56-cifar10.onnx'), join(work, 'models', 'mine.onnx'))
    writeFileSync(
      join(work, 'models', 'mine.card.json'),
      JSON.stringify({ ...card, name: 'Mine', labels: card.labels.map((l: string) => l.toUpperCase()) }),
    )
    const ok = await runCli(['chelsea.png', '--model', 'models/mine.onnx', '--json', '-k', '1'])
    expect(ok.stderr.split('\n')[0]).toMatch(/^Model: Mine \(models\/mine\.onnx\)/)
    expect(topOf(jsonLines(ok)[0])[0]!.label).toBe('CAT')

    copyFileSync(join(work, 'models', 'flatten.onnx'), join(work, 'models', 'other.onnx'))
    copyFileSync(join(work, 'models', 'mine.card.json'), join(work, 'models', 'other.card.json'))
    const bad = await runCli(['chelsea.png', '--model', 'models/other.onnx'])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/cannot load model models\/other\.onnx: the file does not match its card/)
  })

  it('explains a model that cannot be loaded', async () => {
    const missing = await runCli(['chelsea.png', '--model', 'nope.onnx'])
    expect([missing.code, missing.stderr.trim()]).toEqual([1, 'error: cannot load model nope.onnx: file not found'])
    const notOnnx = await runCli(['chelsea.png', '--model', 'notes.txt'])
    expect(notOnnx.stderr).toMatch(/cannot load model notes\.txt: not an ONNX model/)
    expect(notOnnx.stdout).toBe('')
  })

  it('exits 2 with the usage on stderr for bad arguments; --help prints it on stdout', async () => {
    const run = await runCli(['--bogus', 'x'])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/^error: .*\n\nUsage: npm run classify/)
    expect(run.stdout).toBe('')
    // The CLI answers every UsageError so (the run above); these are ones too.
    for (const args of [['--top', '0', 'x'], []]) expect(() => parseCliArgs(args), args.join(' ')).toThrow(UsageError)
    const help = await runCli(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/^Usage: npm run classify -- <file-or-folder>\.\.\..*\n[\s\S]*Exit status/)
  })
})

describe('parseCliArgs', () => {
  it('reads files, --model, --top and --json', () => {
    expect(parseCliArgs(['a.jpg', 'dir', '--model', 'm.onnx', '--top', '3', '--json'])).toEqual({
      help: false,
      options: { inputs: ['a.jpg', 'dir'], model: 'm.onnx', top: 3, json: true },
    })
    expect(parseCliArgs(['x'])).toEqual({
      help: false,
      options: { inputs: ['x'], model: undefined, top: 5, json: false },
    })
    expect(parseCliArgs(['--', '-odd-name.jpg'])).toMatchObject({ options: { inputs: ['-odd-name.jpg'] } })
    expect(parseCliArgs(['-h'])).toEqual({ help: true })
  })

  it('rejects bad values with a UsageError', () => {
    for (const args of [
      ['--top', 'x', 'a'],
      ['--top', '-1', 'a'],
      ['--top', '2.5', 'a'],
      ['--top'],
      ['--json'],
      ['--model', '', 'a'],
      ['--json=1', 'a'],
    ]) {
      expect(() => parseCliArgs(args), args.join(' ')).toThrow(UsageError)
    }
  })
})

describe('card presets', () => {
  it('picks CIFAR preprocessing up to 64 px and ImageNet (shorter side ≥ 256) above', () => {
    expect(suggestPreprocessing(32, 32).resize).toBe('square-crop')
    expect(suggestPreprocessing(64, 64).resize).toBe('square-crop')
    expect(suggestPreprocessing(224, 224)).toMatchObject({ resize: 'shorter-side', shorterSide: 256 })
    expect(suggestPreprocessing(299, 299)).toMatchObject({ resize: 'shorter-side', shorterSide: 342 })
  })

  it('suggests the built-in labels only where they fit', () => {
    expect(suggestLabelList(1000, 224)).toBe('imagenet-1k')
    expect(suggestLabelList(10, 32)).toBe('cifar10')
    expect(suggestLabelList(10, 224)).toBeUndefined()
    expect(suggestLabelList(48, 4)).toBeUndefined()
  })

  it('makes a valid card id from any file name', () => {
    expect(cardIdFor('ResNet 50 (v2).onnx')).toBe('resnet-50-v2')
    expect(cardIdFor('__.onnx')).toBe('model')
  })
})
