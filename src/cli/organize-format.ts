import { relative, sep } from 'node:path'
import type { Job } from '../main/jobs'
import {
  UNKNOWN_FOLDER,
  type OrganizePlan,
  type OrganizeReport,
  type OrganizeRun,
  type PlanStep,
} from '../main/organize'
import { count } from './organize-progress'
import { percent } from './format'

/** Steps shown by a dry run before "… and N more". */
export const FIRST_STEPS = 10

/** The plan for a person: the folders with their counts, the first steps, what stays where it is. */
export function planLines(plan: OrganizePlan, firstSteps = FIRST_STEPS): string[] {
  const verb = plan.mode === 'copy' ? 'copy' : 'move'
  const lines = [
    `Plan: ${verb} ${count(plan.steps.length)} photo${plan.steps.length === 1 ? '' : 's'} from ${plan.folder ?? '?'} ` +
      `into ${plan.out} (under ${percent(plan.threshold)} → _uncertain)`,
  ]
  const width = Math.min(40, Math.max(6, ...plan.groups.map((g) => g.folder.length)))
  for (const group of plan.groups) {
    const label = group.label !== null && group.label !== group.folder ? `  (${JSON.stringify(group.label)})` : ''
    lines.push(`  ${group.folder.padEnd(width)} ${count(group.count).padStart(7)}${label}`)
  }
  if (plan.steps.length > 0) {
    lines.push(`First steps:`)
    for (const step of plan.steps.slice(0, firstSteps)) {
      const from = plan.folder ? shortPath(plan.folder, step.source) : step.source
      lines.push(`  ${from} → ${shortPath(plan.out, step.dest)}  (${stepReason(step)})`)
    }
    if (plan.steps.length > firstSteps) lines.push(`  … and ${count(plan.steps.length - firstSteps)} more`)
  }
  const unknown = plan.steps.filter((s) => s.kind === 'unknown').length
  lines.push(
    `Unknown to the model: ${count(unknown)} photo${unknown === 1 ? '' : 's'} → ${UNKNOWN_FOLDER} ` +
      `(not one of the model's classes)`,
  )
  if (plan.skipped.length > 0) {
    const reasons = new Map<string, number>()
    for (const s of plan.skipped) reasons.set(s.reason, (reasons.get(s.reason) ?? 0) + 1)
    const list = [...reasons].map(([reason, n]) => `${reason}: ${count(n)}`).join('; ')
    lines.push(`Left where they are: ${count(plan.skipped.length)} (${list})`)
  }
  return lines
}

/** Why a step goes where it does: "cat 91.0%", "uncertain, 31.0%", "unknown to the model, closest: cat 44.0%". */
function stepReason(step: PlanStep): string {
  if (step.kind === 'unknown') return `unknown to the model, closest: ${step.closest} ${percent(step.p)}`
  if (step.kind === 'uncertain' || step.label === null) return `uncertain, ${percent(step.p)}`
  return `${step.label} ${percent(step.p)}`
}

/** "Classified 4,990 photos, 10 already known, 0 failed; 1 file skipped." */
export function jobLine(job: Job): string {
  const parts = [
    `Classified ${count(job.classified)} photo${job.classified === 1 ? '' : 's'}`,
    `${count(job.reused)} already known`,
    `${count(job.failed)} failed`,
  ]
  const skipped = job.skipped > 0 ? `; ${count(job.skipped)} file${job.skipped === 1 ? '' : 's'} skipped` : ''
  return `${parts.join(', ')} (${count(job.total)} in ${job.folder})${skipped}`
}

export function runLine(report: OrganizeReport, action: 'organize' | 'undo' | 'rollback'): string {
  const { run } = report
  const n = action === 'organize' ? run.steps.done : run.steps.undone
  const files = `${count(n)} file${n === 1 ? '' : 's'}`
  const what =
    action === 'organize'
      ? `${run.mode === 'copy' ? 'Copied' : 'Moved'} ${files} into ${run.out}`
      : run.mode === 'copy'
        ? `Removed ${files} copied into ${run.out}`
        : `Moved ${files} back from ${run.out}`
  const failed = action === 'organize' ? run.steps.failed : run.steps.kept + run.steps.undoing
  return `${what}${failed > 0 ? `, ${count(failed)} not` : ''} (organize run ${run.id}${
    action === 'organize' ? '' : `, ${action === 'undo' ? 'undone' : 'rolled back'}`
  }).`
}

/** The run as one JSON-friendly object. */
export function runSummary(run: OrganizeRun): Record<string, unknown> {
  return { id: run.id, state: run.state, mode: run.mode, out: run.out, total: run.total, steps: run.steps }
}

function shortPath(root: string, path: string): string {
  const rel = relative(root, path)
  return rel.startsWith('..') ? path : rel.split(sep).join('/')
}
