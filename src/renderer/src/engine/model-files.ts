/** A model file's bytes, fetched from the app's own origin. */
export async function download(url: string): Promise<Uint8Array> {
  const response = await fetch(url)
  if (!response.ok) throw new Error(`the model file could not be fetched (HTTP ${response.status})`)
  return new Uint8Array(await response.arrayBuffer())
}

/** The bytes of the loaded model only (a session restart reuses them); a model's file can be 230 MB. */
export class ModelFiles {
  private cached: { url: string; bytes: Promise<Uint8Array> } | undefined

  /** The model's bytes; `keep` makes them the cached ones (loads), else they are dropped after use (benchmarks). */
  fetch(url: string, keep: boolean): Promise<Uint8Array> {
    if (this.cached?.url === url) return this.cached.bytes
    const bytes = download(url)
    if (keep) {
      const entry = { url, bytes }
      this.cached = entry
      bytes.catch(() => {
        if (this.cached === entry) this.cached = undefined
      })
    }
    return bytes
  }
}
