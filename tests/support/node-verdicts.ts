import { join } from 'node:path'
import { spawnWorkerThread } from '../../src/main/engine/engine-port'
import { WorkerEngine } from '../../src/main/engine/worker-engine'
import { parseModelCard } from '../../src/shared/model-card'
import { readFileSync } from 'node:fs'
import type { Verdict } from '../../src/shared/knowledge/verdict'
import type { EmbeddingVector } from '../../src/shared/embedding/embedding-vector'
import { repoRoot } from './shared'

export interface NodeVerdict {
  /** Calibrated top-1. */
  label: string
  p: number
  verdict: Verdict
  /** The embedding the library keeps (the bundled card's views included). */
  embedding?: EmbeddingVector
}

/**
 * What the engine worker (native CPU) says of each file with the bundled model, its shipped profile and its
 * labels' hierarchy: the reference a window-side result is compared with (calibrated probabilities, verdicts).
 */
export async function bundledModelVerdicts(paths: readonly string[]): Promise<Map<string, NodeVerdict>> {
  const modelPath = join(repoRoot, 'resources', 'models', 'resnet56-cifar10.onnx')
  const card = parseModelCard(JSON.parse(readFileSync(modelPath.replace(/\.onnx$/, '.card.json'), 'utf8')))
  const engine = new WorkerEngine(spawnWorkerThread)
  try {
    await engine.load(
      'bundled',
      {
        modelPath,
        card,
        sha256: card.sha256,
        knowledge: {
          profilePath: modelPath.replace(/\.onnx$/, '.profile.json'),
          hierarchyPath: join(repoRoot, 'resources', 'labels', 'cifar10.hierarchy.json'),
        },
      },
      'native',
    )
    const out = new Map<string, NodeVerdict>()
    for await (const result of engine.classify('bundled', paths, { k: 1 })) {
      if ('error' in result) throw new Error(`${result.path}: ${result.error}`)
      out.set(result.path, {
        label: result.top[0]!.label,
        p: result.top[0]!.p,
        verdict: result.verdict,
        ...(result.embedding && { embedding: result.embedding }),
      })
    }
    return out
  } finally {
    await engine.close()
  }
}
