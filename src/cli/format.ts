import type { FileResult } from '../main/engine/classify-files'

/** One line of --json output. */
export function jsonLine(result: FileResult): string {
  return 'error' in result
    ? JSON.stringify({ path: result.path, error: result.error })
    : JSON.stringify({ path: result.path, top: result.top })
}

/** "airplane/0000.jpg  airplane 93.3%  ship 2.1%" */
export function humanLine(result: Extract<FileResult, { top: unknown }>): string {
  return [result.path, ...result.top.map((c) => `${c.label} ${percent(c.p)}`)].join('  ')
}

export function percent(p: number): string {
  return p < 0.0005 ? '<0.1%' : `${(p * 100).toFixed(1)}%`
}
