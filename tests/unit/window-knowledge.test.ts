import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { RendererRoute, type RouteAnswer } from '../../src/main/engine/renderer-route'
import { contract } from '../../src/shared/ipc/contract'
import {
  fetchKnowledge,
  resolveKnowledge,
  type FetchLike,
  type ModelFacts,
} from '../../src/renderer/src/engine/knowledge'
import { knowledgeLine, unknownSentence } from '../../src/renderer/src/lib/verdict'
import { repoRoot } from '../support/shared'

const HIERARCHY = readFileSync(join(repoRoot, 'resources', 'labels', 'cifar10.hierarchy.json'), 'utf8')
const MODEL: ModelFacts = { sha256: 'e'.repeat(64), classes: 10, featureLength: 256 }
const SOURCE = { profileUrl: '/p', hierarchyUrl: '/h', sha256: MODEL.sha256 }

/** A same-origin fetch that answers each URL with a status and a body, or throws. */
function fakeFetch(answers: Record<string, { status: number; body?: string } | Error>): FetchLike {
  return async (url) => {
    const answer = answers[url]
    if (!answer) throw new Error(`unexpected fetch of ${url}`)
    if (answer instanceof Error) throw answer
    return {
      ok: answer.status >= 200 && answer.status < 300,
      status: answer.status,
      text: async () => answer.body ?? '',
    }
  }
}

describe("the window engine's knowledge", () => {
  it('reads the hierarchy and, with no profile (404), falls back to the logits with a note', async () => {
    const fetched = await fetchKnowledge(
      SOURCE,
      fakeFetch({ '/p': { status: 404 }, '/h': { status: 200, body: HIERARCHY } }),
    )
    const { knowledge, status } = resolveKnowledge(fetched, MODEL)
    expect(status).toEqual({ source: 'energy', note: 'no profile' })
    expect(knowledge.profile).toBeUndefined()
    expect(knowledge.hierarchy?.labels).toBe('cifar10')
  })

  it('never fails the load: a failed fetch, a damaged file or a foreign profile each leave a note', async () => {
    const cases: [Record<string, { status: number; body?: string } | Error>, RegExp][] = [
      [{ '/p': new Error('network down'), '/h': { status: 404 } }, /^profile unreadable \(network down\)$/],
      [{ '/p': { status: 500 }, '/h': { status: 500 } }, /^profile unreadable \(HTTP 500\)$/],
      [{ '/p': { status: 200, body: '{oops' }, '/h': { status: 200, body: '[]' } }, /^profile refused: .*not JSON/],
      [{ '/p': { status: 200, body: '{"version": 999}' }, '/h': { status: 404 } }, /^profile refused: ./],
    ]
    for (const [answers, note] of cases) {
      const { knowledge, status } = resolveKnowledge(await fetchKnowledge(SOURCE, fakeFetch(answers)), MODEL)
      expect(status.source).toBe('energy')
      expect(status.note).toMatch(note)
      expect(knowledge.profile).toBeUndefined()
    }
  })

  it('does not use a profile when the session gives no features, and asks nothing without a source', async () => {
    const fetched = await fetchKnowledge(
      SOURCE,
      fakeFetch({ '/p': { status: 200, body: '{}' }, '/h': { status: 404 } }),
    )
    expect(resolveKnowledge(fetched, { ...MODEL, featureLength: undefined }).status).toEqual({
      source: 'energy',
      note: 'the profile was not used: the engine reads no features from this model',
    })
    const none = await fetchKnowledge(undefined, fakeFetch({}))
    expect(resolveKnowledge(none, MODEL)).toEqual({ knowledge: {}, status: { source: 'energy', note: 'no profile' } })
  })

  it('words the verdict and the model line', () => {
    expect(unknownSentence('ResNet-56 (CIFAR-10)', 10)).toBe('Not one of the 10 things ResNet-56 (CIFAR-10) knows')
    expect(unknownSentence('ResNet-50', 1000)).toBe('Not one of the 1,000 things ResNet-50 knows')
    expect(knowledgeLine(10, { source: 'profile' })).toBe('knows 10 classes · profile')
    expect(knowledgeLine(10, { source: 'energy', note: 'no profile' })).toBe('no profile: unknown from logits')
    expect(knowledgeLine(10, { source: 'energy', note: 'profile refused: it is damaged' })).toBe(
      'profile not used: unknown from logits',
    )
  })
})

describe("WebGPU batches: the window's verdicts reach the tag store", () => {
  const verdict = { unknown: true, ood: 3.5, source: 'profile' as const }
  const levels = [{ label: 'vehicle', path: ['vehicle'], p: 0.4 }]

  it('accepts verdicts and levels in engine:batchResults', () => {
    const input = contract['engine:batchResults'].input
    const parsed = input.parse({
      requestId: 1,
      results: [
        { photoId: 1, top: [{ index: 1, label: 'automobile', p: 0.4 }], verdict, levels },
        { photoId: 2, top: [{ index: 3, label: 'cat', p: 0.9 }] },
        { photoId: 3, error: 'The file could not be read.' },
      ],
    })
    expect('results' in parsed && parsed.results[0]).toMatchObject({ verdict, levels })
  })

  it('maps them onto the job results', async () => {
    const ids = new Map([
      ['/photos/rocket.jpg', 7],
      ['/photos/cat.png', 8],
    ])
    let route: RendererRoute | undefined = undefined
    route = new RendererRoute({
      hasWindow: () => true,
      photoIdOf: (path) => ids.get(path),
      emit: ((event: string, payload: { requestId: number }) => {
        if (event !== 'engine:classifyBatch') return
        const answer: RouteAnswer = {
          results: [
            { photoId: 7, top: [{ index: 1, label: 'automobile', p: 0.4 }], verdict, levels },
            { photoId: 8, top: [{ index: 3, label: 'cat', p: 0.9 }] },
          ],
        }
        queueMicrotask(() => route!.answer(payload.requestId, answer))
      }) as never,
    })
    async function* chunks(): AsyncGenerator<readonly string[]> {
      yield [...ids.keys()]
    }
    const results = []
    for await (const batch of route.classifyBatches('m', chunks())) results.push(...batch)
    expect(results).toEqual([
      { path: '/photos/rocket.jpg', top: [{ index: 1, label: 'automobile', p: 0.4 }], verdict, levels },
      { path: '/photos/cat.png', top: [{ index: 3, label: 'cat', p: 0.9 }] },
    ])
  })
})
