import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { repoRoot } from '../support/shared'

describe('built app', () => {
  it('emits the preload as one CommonJS file, as a sandboxed renderer requires', () => {
    const preload = readFileSync(join(repoRoot, 'out', 'preload', 'index.cjs'), 'utf8')
    expect(preload).toMatch(/require\(["']electron["']\)/)
    expect(preload).not.toMatch(/^\s*import\s/m)
    expect(preload).not.toMatch(/require\(["']\.\.?\//) // no local chunks: sandboxed preloads cannot load them
  })

  it('opens every window with the secure web preferences', () => {
    const main = readFileSync(join(repoRoot, 'out', 'main', 'index.js'), 'utf8')
    expect(main).toMatch(/contextIsolation:\s*true/)
    expect(main).toMatch(/sandbox:\s*true/)
    expect(main).toMatch(/nodeIntegration:\s*false/)
    expect(main).toContain('setPermissionRequestHandler')
    expect(main).toContain('setWindowOpenHandler')
  })

  it('ships onnxruntime-web assets inside the renderer (the app is offline)', () => {
    const html = readFileSync(join(repoRoot, 'out', 'renderer', 'index.html'), 'utf8')
    expect(html).not.toMatch(/https?:\/\//)
    const assets = readdirSync(join(repoRoot, 'out', 'renderer', 'assets'))
    expect(assets.some((name) => /^ort-wasm-simd-threaded.*\.wasm$/.test(name))).toBe(true)
  })
})
