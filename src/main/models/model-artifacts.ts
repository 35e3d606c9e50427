import { existsSync } from 'node:fs'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Architecture } from '../../shared/ipc/contract'
import { artifactUrlPath, type ModelArtifact } from '../../shared/ipc/routes'
import { writeFileAtomic } from '../fs/durable'
import { readClassifierHead } from '../onnx/classifier-head'
import { readModelGraph } from '../onnx'
import type { GraphReport, LayerSummary } from '../onnx/types'
import type { ModelLibrary } from './model-library'
import { addTapOutputs, stageTaps } from '../onnx/taps'
import { addFeatureOutputs, FEATURE_GRAPH_VERSION, featureLayout } from '../onnx/feature-graph'
import type { FeatureLayout } from '../../shared/knowledge/features'
import { hierarchyPathFor } from '../knowledge/load-knowledge'

export { artifactUrlPath, type ModelArtifact }

/** Node names are the exporter's, not facts about the architecture; the view never shows them. */
function withoutNodeName(layer: LayerSummary): Omit<LayerSummary, 'node'> {
  const { op, filters, kernel, stride, groups, params, macs } = layer
  return { op, filters, kernel, stride, groups, params, macs }
}

/**
 * What the Architecture view and the Activations panel need beyond a model's file: its graph
 * report, a copy of the model with the stage outputs added as graph outputs, and the classifier's
 * weights for the class activation map. Derived files are cached by content hash under `cacheDir`.
 */
export class ModelArtifacts {
  private readonly reports = new Map<string, Promise<GraphReport>>()

  constructor(
    private readonly library: ModelLibrary,
    private readonly cacheDir: string,
    /** The shipped label lists and their hierarchies. */
    private readonly labelsDir?: string,
  ) {}

  private report(id: string): Promise<GraphReport> {
    const key = `${id}:${this.library.summary(id).sha256}`
    let report = this.reports.get(key)
    if (!report) {
      report = readFile(this.library.resolveFile(id)!).then((bytes) => readModelGraph(bytes))
      report.catch(() => this.reports.delete(key))
      this.reports.set(key, report)
    }
    return report
  }

  /** The stages a model's features describe (from the cached graph report); throws when it has none. */
  async featureLayout(id: string): Promise<FeatureLayout> {
    const layout = featureLayout(await this.report(id), this.library.card(id).preprocessing.views)
    if (layout.stages.length === 0) throw new Error('its graph has no stages to take features from')
    return layout
  }

  async architecture(id: string): Promise<Architecture> {
    const summary = this.library.summary(id)
    const report = await this.report(id)
    let head: Architecture['head'] = null
    try {
      const { classes, channels, featureStage } = readClassifierHead(
        await readFile(this.library.resolveFile(id)!),
        report,
      )
      head = { url: artifactUrlPath(id, 'head'), classes, channels, featureStage }
    } catch {
      // A head that is not one linear layer over pooled features has no CAM; the rest still works.
    }
    return {
      id,
      name: summary.name,
      architecture: report.architecture,
      input: { ...report.analysedSize, assumed: report.assumedInput },
      params: report.params,
      paramsUnfolded: report.paramsUnfolded,
      macs: report.macs,
      depth: report.depth,
      depthFormula: report.depthFormula,
      depthExplanation: report.depthExplanation,
      batchNorm: report.batchNorm,
      notes: report.notes,
      stages: report.stages.map((stage) => ({
        name: stage.name,
        ...(stage.paperName !== undefined && { paperName: stage.paperName }),
        kind: stage.kind,
        blocks: stage.blocks,
        blockType: stage.blockType,
        output: stage.output,
        params: stage.params,
        macs: stage.macs,
        layers: stage.layers,
        ownLayers: stage.ownLayers.map(withoutNodeName),
        residualBlocks: stage.residualBlocks.map((block) => ({
          index: block.index,
          type: block.type,
          groups: block.groups,
          filters: block.filters,
          kernels: block.kernels,
          strideAt: block.strideAt,
          shortcut: block.shortcut,
          shortcutConv: block.shortcutConv && withoutNodeName(block.shortcutConv),
          input: block.input,
          output: block.output,
          params: block.params,
          macs: block.macs,
        })),
      })),
      taps: stageTaps(report).map((tap) => ({ stage: tap.name, tensor: tap.tensor, shape: tap.shape })),
      tappedModelUrl: artifactUrlPath(id, 'tapped'),
      head,
    }
  }

  /** The file behind an artifact URL, built on first use; undefined for a model the library does not know. */
  async file(id: string, artifact: ModelArtifact): Promise<string | undefined> {
    if (!this.library.has(id)) return undefined
    const source = this.library.resolveFile(id)!
    if (artifact === 'model') return source
    if (artifact === 'profile') return this.library.profilePath(id)
    if (artifact === 'hierarchy') {
      return this.labelsDir === undefined
        ? undefined
        : hierarchyPathFor(this.labelsDir, this.library.card(id).labelsSource)
    }
    const { sha256 } = this.library.summary(id)
    const views = artifact === 'features' ? this.library.card(id).preprocessing.views : undefined
    const featuresName = `features-v${FEATURE_GRAPH_VERSION}${views ? `-f${views.flip ? 1 : 0}t${views.tiles}` : ''}.onnx`
    const suffix = { tapped: 'tapped.onnx', features: featuresName, 'photo-features': featuresName, head: 'head.bin' }[
      artifact
    ]
    const target = join(this.cacheDir, `${sha256.slice(0, 16)}.${suffix}`)
    if (existsSync(target)) return target
    const [bytes, report] = await Promise.all([readFile(source), this.report(id)])
    await mkdir(this.cacheDir, { recursive: true })
    if (artifact === 'tapped') {
      await writeFileAtomic(
        target,
        addTapOutputs(
          bytes,
          stageTaps(report).map((tap) => tap.tensor),
        ),
      )
    } else if (artifact === 'features' || artifact === 'photo-features') {
      let spliced: Uint8Array
      try {
        spliced = addFeatureOutputs(bytes, report, views).model
      } catch {
        return source // no stages to read features from: the model classifies with its logits alone
      }
      await writeFileAtomic(target, spliced)
    } else {
      const head = readClassifierHead(bytes, report)
      const out = new Float32Array(head.weights.length + head.bias.length)
      out.set(head.weights)
      out.set(head.bias, head.weights.length)
      await writeFileAtomic(target, new Uint8Array(out.buffer))
    }
    return target
  }
}
