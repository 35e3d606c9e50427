/** "93.1 %" (one decimal; the unit is always shown). */
export function formatPercent(p: number): string {
  return `${(p * 100).toFixed(1)} %`
}

/** "12 ms", "3.4 ms", "0.42 ms", "1.8 s". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '– ms'
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`
  if (ms >= 100) return `${Math.round(ms)} ms`
  if (ms >= 10) return `${ms.toFixed(0)} ms`
  if (ms >= 1) return `${ms.toFixed(1)} ms`
  return `${ms.toFixed(2)} ms`
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

export function formatCount(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`
}

/** The platform's modifier key, for shortcuts and their tooltips. */
export const isMac =
  typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent)

export function shortcutLabel(key: string): string {
  return isMac ? `⌘${key}` : `Ctrl+${key}`
}

/** Parameters with their unit: "25.6 M", "0.85 M", "9.2 k" (the number of weights, not bytes). */
export function formatParamCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`
  if (n >= 1e5) return `${(n / 1e6).toFixed(n >= 1e7 ? 1 : 2)} M`
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`
  return String(Math.round(n))
}

/** Multiply-adds: "4.09 GMAC", "40.8 MMAC". */
export function formatMacs(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GMAC`
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MMAC`
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kMAC`
  return `${Math.round(n)} MAC`
}

/** Model files and downloads, in decimal megabytes as the ONNX Model Zoo states them: "46.8 MB". */
export function formatMegabytes(bytes: number): string {
  if (bytes < 100_000) return bytes < 1000 ? `${bytes} B` : `${(bytes / 1000).toFixed(1)} kB`
  const mb = bytes / 1e6
  return `${mb >= 100 ? mb.toFixed(0) : mb >= 0.1 ? mb.toFixed(1) : mb.toFixed(2)} MB`
}

export function formatRate(bytesPerSecond: number): string {
  return `${(bytesPerSecond / 1e6).toFixed(1)} MB/s`
}

/** A tensor shape without the batch axis: "64×56×56", or "512" after pooling. */
export function formatShape(dims: readonly number[]): string {
  return dims.join('×')
}

/** "9 s", "2 min 10 s", "1 h 5 min". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–'
  const s = Math.round(seconds)
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
}

/** Images per second with sensible precision: "1,234 img/s", "56.7 img/s", "0.84 img/s". */
export function formatImagesPerSecond(rate: number): string {
  if (rate >= 1000) return `${Math.round(rate).toLocaleString('en-US')} img/s`
  if (rate >= 10) return `${rate.toFixed(1)} img/s`
  return `${rate.toFixed(2)} img/s`
}
