import { describe, expect, it } from 'vitest'
import {
  CONTENT_SECURITY_POLICY,
  SECURE_WEB_PREFERENCES,
  SECURITY_HEADERS,
  isAllowedNavigation,
} from '../../src/main/security/policy'

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp.split(';').map((part) => {
      const [name, ...values] = part.trim().split(/\s+/)
      return [name!, values]
    }),
  )
}

describe('window security', () => {
  it('isolates and sandboxes the renderer with no Node integration', () => {
    expect(SECURE_WEB_PREFERENCES).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    })
  })

  it('has a strict CSP that still lets onnxruntime compile WebAssembly', () => {
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; " +
        "connect-src 'self' blob: data:; img-src 'self' blob: data:; style-src 'self'; font-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'",
    )
    const csp = directives(CONTENT_SECURITY_POLICY)
    expect(csp.get('default-src')).toEqual(["'none'"])
    expect(csp.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"])
    for (const values of csp.values()) {
      expect(values).not.toContain("'unsafe-inline'")
      expect(values).not.toContain("'unsafe-eval'")
      expect(values.some((v) => v.startsWith('http') || v === '*')).toBe(false)
    }
  })

  it('serves every response cross-origin isolated, so WASM threads work', () => {
    expect(SECURITY_HEADERS).toMatchObject({
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'X-Content-Type-Options': 'nosniff',
    })
  })

  it('allows navigation only within the app origin (and the dev server when given)', () => {
    expect(isAllowedNavigation('app://bundle/index.html')).toBe(true)
    expect(isAllowedNavigation('app://other/index.html')).toBe(false)
    expect(isAllowedNavigation('https://example.com/')).toBe(false)
    expect(isAllowedNavigation('file:///etc/passwd')).toBe(false)
    expect(isAllowedNavigation('not a url')).toBe(false)
    expect(isAllowedNavigation('http://localhost:5173/x', 'http://localhost:5173')).toBe(true)
    expect(isAllowedNavigation('http://localhost:5174/x', 'http://localhost:5173')).toBe(false)
  })
})
