import { runCliScript, type CliRun } from '../support/run-cli'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseInspectArgs } from '../../src/cli/inspect-args'
import { UsageError } from '../../src/cli/usage'
import { formatMacs } from '../../src/cli/inspect-format'
import { repoRoot, sharedPath } from '../support/shared'

const defaultModel = join(repoRoot, 'resources', 'models', 'resnet56-cifar10.onnx')

type Run = CliRun

/** Runs the real CLI in a child Node process, from the temp folder (not the repo). */
function inspect(args: string[]): Promise<Run> {
  return runCliScript('inspect.ts', args, { cwd: work })
}

interface JsonReport {
  file: string
  classes: number
  input: { name: string; shape: (number | string)[]; height: number | null; width: number | null }
  params: number
  paramsUnfolded: number
  macs: number
  depth: number
  depthFormula: string
  stages: { name: string; blocks: number; output: number[]; params: number; macs: number; outputTensor: string }[]
}

let work: string
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'inspect-cli-'))
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('npm run inspect', () => {
  it('prints the default model as one JSON object with --json', async () => {
    const run = await inspect([defaultModel, '--json'])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout.trim().split('\n')).toHaveLength(1)
    const report = JSON.parse(run.stdout) as JsonReport
    const facts = JSON.parse(readFileSync(sharedPath('models', 'resnet56-cifar10.json'), 'utf8')) as { params: number }
    expect(report.file).toBe('resnet56-cifar10.onnx')
    expect(report.classes).toBe(10)
    expect(report.input).toMatchObject({ name: 'input', shape: ['batch', 3, 32, 32], height: 32, width: 32 })
    expect(report.paramsUnfolded).toBe(facts.params)
    expect(Math.abs(report.params - facts.params)).toBeLessThan(facts.params * 0.005)
    expect(Math.abs(report.macs - 125.5e6)).toBeLessThan(125.5e6 * 0.005)
    expect(report.depth).toBe(56)
    expect(report.stages.map((s) => [s.name, s.blocks, s.output])).toEqual([
      ['conv1', 0, [16, 32, 32]],
      ['layer1', 9, [16, 32, 32]],
      ['layer2', 9, [32, 16, 16]],
      ['layer3', 9, [64, 8, 8]],
      ['avgpool', 0, [64]],
      ['fc', 0, [10]],
    ])
    for (const s of report.stages) {
      expect(typeof s.params).toBe('number')
      expect(typeof s.macs).toBe('number')
    }
  })

  it('reads a gzipped architecture fixture', async () => {
    const run = await inspect([sharedPath('models', 'architectures', 'resnet18-opset17.onnx.gz'), '--json'])
    expect(run.code).toBe(0)
    const report = JSON.parse(run.stdout) as JsonReport
    expect(report.classes).toBe(1000)
    expect(report.input).toMatchObject({ name: 'input', shape: ['batch', 3, 224, 224] })
    expect(report.paramsUnfolded).toBe(11_689_512)
    expect(Math.abs(report.macs - 1.814e9)).toBeLessThan(1.814e9 * 0.005)
    expect(report.depthFormula).toBe('1 + 8 × 2 + 1')
    expect(report.stages.map((s) => [s.name, s.blocks, s.output])).toEqual([
      ['conv1', 0, [64, 112, 112]],
      ['maxpool', 0, [64, 56, 56]],
      ['layer1', 2, [64, 56, 56]],
      ['layer2', 2, [128, 28, 28]],
      ['layer3', 2, [256, 14, 14]],
      ['layer4', 2, [512, 7, 7]],
      ['avgpool', 0, [512]],
      ['fc', 0, [1000]],
    ])
  })

  it('prints a readable table with totals and the depth explanation', async () => {
    const run = await inspect([defaultModel, '--blocks'])
    expect(run.code).toBe(0)
    const out = run.stdout
    expect(out).toMatch(/^resnet56-cifar10\.onnx: ResNet-56 \(CIFAR\)/)
    expect(out).toMatch(/^stage\s+paper\s+blocks\s+output\s+params\s+MACs$/m)
    expect(out).toMatch(/^layer2\s+conv3_x\s+9 × basic\s+32×16×16\s+161,856\s+41\.3 M$/m)
    expect(out).toMatch(/^total\s+850,986\s+125\.5 M$/m)
    expect(out).toMatch(/^layer2\.0\s+basic\s+32,32\s+3×3,3×3\s+\/2 at 3×3 \(conv 1\)\s+option-a\s/m)
    expect(out).toContain('depth 56 = 1 + 27 × 2 + 1: conv1, 27 basic blocks of 2 convolutions, fc')
    expect(out).toContain('853,018 as trained')
  })

  it('exits 1 with a clear message for a file that is not a model', async () => {
    const bad = join(work, 'photo.onnx')
    writeFileSync(bad, readFileSync(sharedPath('photos', 'chelsea.png')))
    const run = await inspect([bad])
    expect(run.code).toBe(1)
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(/^error: .*photo\.onnx: not an ONNX model/)
  })

  it('exits 1 for a truncated model, a bad .gz and a missing file', async () => {
    const cut = join(work, 'cut.onnx')
    const bytes = readFileSync(defaultModel)
    writeFileSync(cut, bytes.subarray(0, bytes.length >> 1))
    const badGz = join(work, 'bad.onnx.gz')
    writeFileSync(badGz, 'not gzip')
    const runs = await Promise.all([inspect([cut]), inspect([badGz]), inspect([join(work, 'missing.onnx')])])
    expect(runs.map((r) => r.code)).toEqual([1, 1, 1])
    expect(runs[0]!.stderr).toMatch(/truncated or damaged ONNX file/)
    expect(runs[1]!.stderr).toMatch(/cannot decompress/)
    expect(runs[2]!.stderr).toMatch(/missing\.onnx: no such file/)
  })

  it('exits 2 with the usage for bad arguments', async () => {
    const [none, unknown] = await Promise.all([inspect([]), inspect([defaultModel, '--frobnicate'])])
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/error: no model file given[\s\S]*Usage: npm run inspect/)
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/--frobnicate/)
  })
})

describe('inspect argument parsing and formatting', () => {
  it('parses options and refuses mistakes', () => {
    expect(parseInspectArgs(['m.onnx', '--json'])).toEqual({
      help: false,
      options: { model: 'm.onnx', json: true, blocks: false },
    })
    expect(parseInspectArgs(['-h'])).toEqual({ help: true })
    expect(() => parseInspectArgs(['a.onnx', 'b.onnx'])).toThrow(UsageError)
    expect(() => parseInspectArgs(['--json'])).toThrow(/no model file/)
  })

  it('formats MACs in G, M and K', () => {
    expect(formatMacs(4_089_184_256)).toBe('4.089 G')
    expect(formatMacs(118_013_952)).toBe('118.0 M')
    expect(formatMacs(640)).toBe('640')
    expect(formatMacs(442_368)).toBe('442.4 K')
    expect(formatMacs(0)).toBe('0')
  })
})
