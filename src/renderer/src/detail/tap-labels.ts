import type { Architecture } from '../../../shared/ipc/contract'
import { stageColour, stageNames } from '../architecture/stage-text'

export interface StageLabel {
  paper: string
  torch: string
  colour: string
  /** What this stage's channels tend to respond to, for the students who come to understand ResNet. */
  note: string
  /** True for the stage the classifier reads (its maps make the CAM). */
  feature: boolean
}

/**
 * The names and the one-line lesson of a tapped stage: conv1 and the first residual stage respond to
 * edges, colours and textures; the middle ones to parts and patterns; the last one to whole objects.
 */
export function describeTap(stage: string, architecture: Architecture): StageLabel {
  const detail = architecture.stages.find((s) => s.name === stage)
  const residual = architecture.stages.filter((s) => s.kind === 'residual')
  const position = residual.findIndex((s) => s.name === stage)
  const feature = architecture.head?.featureStage === stage
  const names = detail ? stageNames(detail) : { paper: stage, torch: stage }
  const colour = detail ? stageColour(detail, Math.max(0, position)) : 'bg-zinc-400'
  let note: string
  if (detail?.kind === 'stem') {
    note = 'Edges and colour blobs: each filter answers to an oriented edge, a colour or a colour change.'
  } else if (detail?.kind === 'pool') {
    note = 'The same channels at half the size: the strongest answer in each 3×3 window.'
  } else if (position === residual.length - 1) {
    note = feature
      ? 'Whole objects and their large parts. The classifier averages these maps: the CAM above is their weighted sum.'
      : 'Whole objects and their large parts.'
  } else if (position === 0) {
    note = 'Edges, colours and textures, combined over a wider window than conv1.'
  } else {
    note = 'Parts and patterns: fur, eyes, wheels, text; each channel a combination of the stage before.'
  }
  return { ...names, colour, note, feature }
}
