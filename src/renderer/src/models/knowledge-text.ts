/** What a model's card says about its knowledge profile (pure: no React, no IPC). */
import type { KnowledgeView } from '../../../shared/ipc/contract'

function formatBuiltAt(iso: string | undefined): string | undefined {
  if (iso === undefined) return undefined
  const date = new Date(iso)
  return Number.isNaN(date.getTime())
    ? undefined
    : date.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' })
}

/** "profile refused: The profile file belongs to another model." → the reason, as a sentence. */
export function refusal(note: string | undefined): string | undefined {
  const match = note?.match(/^profile refused: (.*)$/s)
  return match ? match[1] : undefined
}

/** The card's sentence about the model's knowledge. */
export function knowledgeSentence(view: KnowledgeView): string {
  if (view.source === 'profile') {
    const parts: string[] = []
    const built = formatBuiltAt(view.builtAt)
    parts.push(
      view.images !== undefined
        ? `profile from ${view.images.toLocaleString('en-US')} photos${built ? ` (${built})` : ''}`
        : `profile${built ? ` of ${built}` : ''}`,
    )
    if (view.keptShare !== undefined) parts.push(`keeps ${Math.round(view.keptShare * 100)}% of what it knows`)
    return `Knows what it doesn't: ${parts.join(' · ')}`
  }
  const refused = refusal(view.note)
  if (refused !== undefined) {
    return `Profile refused: ${refused.replace(/\.?$/, '.')} 'Unknown' comes from the logits alone, which misses many photos.`
  }
  if (view.note === undefined || view.note === 'no profile') {
    return "No profile: 'unknown' comes from the logits alone, which misses many photos"
  }
  return `No profile in use (${view.note}): 'unknown' comes from the logits alone, which misses many photos`
}
