import { readFileSync, statSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { IMAGENET_PREPROCESSING } from '../../src/shared/model-card'
import { contract } from '../../src/shared/ipc/contract'
import { invokeHandler } from '../../src/main/ipc/dispatch'
import { unzippedFixture } from '../support/fixture-models'
import { createTestServices, type TestServices } from '../support/services'

describe('model artifacts: architecture, tapped model, classifier weights', () => {
  let services: TestServices
  let resnet50: string
  beforeAll(async () => {
    services = await createTestServices()
    const { token } = services.importer.grants.grant(unzippedFixture('resnet50-opset17.onnx'))
    const result = contract['models:import'].output.parse(
      await invokeHandler(services.handlers, 'models:import', {
        token,
        name: 'ResNet-50 fixture',
        labels: { kind: 'builtin', id: 'imagenet-1k' },
        preprocessing: IMAGENET_PREPROCESSING,
      }),
    )
    resnet50 = result.model.id
  }, 60_000)
  afterAll(() => services.dispose())

  const architecture = async (id: string) =>
    contract['models:architecture'].output.parse(await invokeHandler(services.handlers, 'models:architecture', { id }))

  it('describes ResNet-50 stage by stage, with blocks, strides and projections', async () => {
    const arch = await architecture(resnet50)
    expect(arch).toMatchObject({ architecture: 'ResNet-50 v1.5', depth: 50, depthFormula: '1 + 16 × 3 + 1' })
    const residual = arch.stages.filter((s) => s.kind === 'residual')
    expect(residual.map((s) => [s.paperName, s.blocks, s.output.join('×')])).toEqual([
      ['conv2_x', 3, '256×56×56'],
      ['conv3_x', 4, '512×28×28'],
      ['conv4_x', 6, '1024×14×14'],
      ['conv5_x', 3, '2048×7×7'],
    ])
    const first = residual[1]!.residualBlocks[0]!
    expect(first).toMatchObject({ type: 'bottleneck', filters: [128, 128, 512], strideAt: 1, shortcut: 'projection' })
    expect(residual[1]!.residualBlocks[1]!.shortcut).toBe('identity')
    expect(arch.taps.map((t) => t.shape.join('×'))).toEqual([
      '64×112×112',
      '64×56×56',
      '256×56×56',
      '512×28×28',
      '1024×14×14',
      '2048×7×7',
    ])
    expect(arch.head).toMatchObject({ classes: 1000, channels: 2048, featureStage: 'layer4' })
  })

  it('builds the tapped model and the head weights once, and serves only known models', async () => {
    const arch = await architecture('resnet56-cifar10')
    const tapped = (await services.artifacts.file('resnet56-cifar10', 'tapped'))!
    expect(statSync(tapped).size).toBeGreaterThan(statSync(services.library.resolveFile('resnet56-cifar10')!).size)
    expect(await services.artifacts.file('resnet56-cifar10', 'tapped')).toBe(tapped) // cached
    const bytes = readFileSync((await services.artifacts.file('resnet56-cifar10', 'head'))!)
    const head = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)
    expect(head.length).toBe(arch.head!.classes * arch.head!.channels + arch.head!.classes)
    expect(await services.artifacts.file('no-such-model', 'tapped')).toBeUndefined()
  })

  it('serves the features copy, the shipped profile and the labels hierarchy; nothing for what a model lacks', async () => {
    const features = (await services.artifacts.file('resnet56-cifar10', 'features'))!
    // The bundled card's views (mirror, 2×2 tiles) are folded into this copy.
    expect(features).toMatch(/\.features-v\d+-f1t2\.onnx$/)
    // The same copy on the photo alone: what the Classify screen runs (its results keep no embedding).
    expect(await services.artifacts.file('resnet56-cifar10', 'photo-features')).toMatch(/\.features-v\d+\.onnx$/)
    expect(statSync(features).size).toBeGreaterThan(statSync(services.library.resolveFile('resnet56-cifar10')!).size)
    const profile = (await services.artifacts.file('resnet56-cifar10', 'profile'))!
    expect(JSON.parse(readFileSync(profile, 'utf8'))).toMatchObject({
      model: { sha256: expect.stringMatching(/^e8e89fe5/) },
    })
    const hierarchy = (await services.artifacts.file('resnet56-cifar10', 'hierarchy'))!
    expect(JSON.parse(readFileSync(hierarchy, 'utf8'))).toMatchObject({ labels: 'cifar10' })
    // The imported ResNet-50 has ImageNet's hierarchy but no profile until one is built.
    expect(await services.artifacts.file(resnet50, 'profile')).toBeUndefined()
    expect(await services.artifacts.file(resnet50, 'hierarchy')).toMatch(/imagenet-1k\.hierarchy\.json$/)
  })
})
