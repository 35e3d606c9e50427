/**
 * The window's engine reads a model's knowledge like the main process's engines do (`loadKnowledge` in
 * `src/main/knowledge/load-knowledge.ts`): the label hierarchy and the knowledge profile, fetched from the
 * app's own origin. Nothing here stops the model from loading: a missing profile, or one that is damaged or
 * belongs to another model, leaves the logit-only (energy) fallback with a note that says why.
 */
import { resolveKnowledge, type KnowledgeText, type ModelFacts } from '../../../shared/knowledge/resolve'
import type { KnowledgeSource } from './messages'

/** What came back for one file: its JSON text, none (404), or why it could not be read. */
export type Fetched = KnowledgeText

/** The two files, fetched while the model loads; parsed once the feature length is known. */
export interface FetchedKnowledge {
  profile: Fetched
  hierarchy: Fetched
}

export type FetchLike = (url: string) => Promise<Pick<Response, 'ok' | 'status' | 'text'>>

async function fetchText(url: string, fetcher: FetchLike): Promise<Fetched> {
  try {
    const response = await fetcher(url)
    if (response.status === 404) return { missing: true }
    if (!response.ok) return { error: `HTTP ${response.status}` }
    return { text: await response.text() }
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) }
  }
}

/** Fetches the profile and the hierarchy (both at once); never rejects. */
export async function fetchKnowledge(
  source: KnowledgeSource | undefined,
  fetcher: FetchLike = (url) => fetch(url),
): Promise<FetchedKnowledge> {
  if (!source) return { profile: { missing: true }, hierarchy: { missing: true } }
  const [profile, hierarchy] = await Promise.all([
    fetchText(source.profileUrl, fetcher),
    fetchText(source.hierarchyUrl, fetcher),
  ])
  return { profile, hierarchy }
}

export { resolveKnowledge, type ModelFacts }
