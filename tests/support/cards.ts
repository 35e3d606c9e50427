import type { Page } from 'playwright-core'

/** What a photo card shows, read from its DOM (see src/renderer/src/components/PhotoCard.tsx). */
export interface CardState {
  name: string
  status: string
  provider: string
  logits: number[] | null
  predictions: { label: string; index: number; p: number; text: string }[]
  error: string | null
  /** `known` / `unknown` once classified (empty before). */
  verdict: string
  /** An unknown photo's sentence ("Not one of the 10 things … knows") and its closest-class hint. */
  verdictText: string | null
  closest: string | null
}

export async function readCards(page: Page): Promise<CardState[]> {
  return page.$$eval('[data-testid="photo-card"]', (cards) =>
    cards.map((card) => ({
      name: card.getAttribute('data-file-name') ?? '',
      status: card.getAttribute('data-status') ?? '',
      provider: card.getAttribute('data-provider') ?? '',
      logits: card.hasAttribute('data-logits') ? (JSON.parse(card.getAttribute('data-logits')!) as number[]) : null,
      predictions: [...card.querySelectorAll('[data-testid="prediction"]')].map((row) => ({
        label: row.getAttribute('data-label') ?? '',
        index: Number(row.getAttribute('data-index')),
        p: Number(row.getAttribute('data-p')),
        text: row.textContent ?? '',
      })),
      error: card.querySelector('[data-testid="card-error"]')?.textContent ?? null,
      verdict: card.getAttribute('data-verdict') ?? '',
      verdictText: card.querySelector('[data-testid="verdict-text"]')?.textContent ?? null,
      closest: card.querySelector('[data-testid="closest"]')?.textContent ?? null,
    })),
  )
}

/** Waits until exactly `count` cards exist and none is pending, then reads them. */
export async function waitForCards(page: Page, count: number, timeout = 150_000): Promise<CardState[]> {
  await page.waitForFunction(
    (n) => {
      const cards = [...document.querySelectorAll('[data-testid="photo-card"]')]
      return cards.length === n && cards.every((c) => c.getAttribute('data-status') !== 'pending')
    },
    count,
    { timeout },
  )
  return readCards(page)
}

/** Waits until the header's provider matches `pattern` (the engine starts asynchronously). */
export async function waitForProvider(page: Page, pattern: RegExp): Promise<string> {
  const handle = await page.waitForFunction(
    ({ source, flags }) => {
      const text = document.querySelector('[data-testid="provider"]')?.textContent ?? ''
      return new RegExp(source, flags).test(text) ? text : false
    },
    { source: pattern.source, flags: pattern.flags },
    { timeout: 90_000 },
  )
  return (await handle.jsonValue()) as string
}
