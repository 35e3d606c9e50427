import type { WorkerResult } from '../main/engine-process/protocol'
import type { KnowledgeStatus } from '../main/knowledge/load-knowledge'

type Classified = Extract<WorkerResult, { top: unknown }>

/**
 * One line of --json output: the top-k (calibrated), the top-1 probability `p`, the verdict (`unknown`) and the
 * out-of-distribution score `ood` (higher: less like what the model knows; comparable across photos of one model).
 */
export function jsonLine(result: WorkerResult | { path: string; error: string }): string {
  if ('error' in result) return JSON.stringify({ path: result.path, error: result.error })
  return JSON.stringify({
    path: result.path,
    top: result.top,
    p: result.top[0]?.p ?? 0,
    unknown: result.verdict.unknown,
    ood: result.verdict.ood,
  })
}

/** "airplane/0000.jpg  airplane 93.3%  ship 2.1%", or "coffee.png  unknown (closest: automobile)" */
export function humanLine(result: Classified): string {
  if (result.verdict.unknown) return `${result.path}  unknown (closest: ${result.top[0]?.label ?? 'none'})`
  return [result.path, ...result.top.map((c) => `${c.label} ${percent(c.p)}`)].join('  ')
}

/** "Knowledge: profile (unknown = far from what the model was profiled on)" or the fallback and why. */
export function knowledgeLine(status: KnowledgeStatus): string {
  return status.source === 'profile'
    ? 'Knowledge: the model\'s profile (photos unlike what it knows are "unknown")'
    : `Knowledge: ${status.note ?? 'no profile'}; "unknown" from the logit-based score (energy) at its default threshold`
}

export function percent(p: number): string {
  return p < 0.0005 ? '<0.1%' : `${(p * 100).toFixed(1)}%`
}
