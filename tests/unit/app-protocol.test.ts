import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { artifactUrlPath } from '../../src/main/models/model-artifacts'
import { createAppRequestHandler } from '../../src/main/protocol/app-protocol'
import { CONTENT_SECURITY_POLICY } from '../../src/main/security/policy'

describe('app protocol handler', () => {
  let root: string
  let handle: (request: Request) => Promise<Response>

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'app-protocol-'))
    const renderer = join(root, 'renderer')
    mkdirSync(join(renderer, 'assets'), { recursive: true })
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>x</title>')
    writeFileSync(join(renderer, 'assets', 'ort.wasm'), Buffer.from([0, 97, 115, 109]))
    writeFileSync(join(root, 'secret.txt'), 'do not serve')
    writeFileSync(join(root, 'model.onnx'), 'onnx bytes')
    handle = createAppRequestHandler({
      rendererDir: renderer,
      resolveModelFile: (id, artifact) =>
        id === 'known' && artifact === 'model' ? join(root, 'model.onnx') : undefined,
    })
  })
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  const get = (path: string, method = 'GET') => handle(new Request(`app://bundle${path}`, { method }))

  it('serves the renderer with the CSP and cross-origin isolation headers', async () => {
    const response = await get('/')
    expect(response.status).toBe(200)
    expect(await response.text()).toContain('<title>x</title>')
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin')
    expect(response.headers.get('cross-origin-embedder-policy')).toBe('require-corp')
  })

  it('serves wasm with its MIME type, so streaming compilation works', async () => {
    const response = await get('/assets/ort.wasm')
    expect(response.headers.get('content-type')).toBe('application/wasm')
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(new Uint8Array([0, 97, 115, 109]))
  })

  it('never serves a file outside the renderer folder', async () => {
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
    ]) {
      const response = await get(path)
      expect([403, 404]).toContain(response.status)
      expect(await response.text()).not.toContain('do not serve')
    }
    expect((await get('/%E0%A4%A')).status).toBe(403)
    expect((await get('/nothing-here.js')).status).toBe(404)
  })

  it('serves only models the library knows', async () => {
    const known = await get(artifactUrlPath('known', 'model'))
    expect(known.status).toBe(200)
    expect(await known.text()).toBe('onnx bytes')
    expect((await get(artifactUrlPath('unknown', 'model'))).status).toBe(404)
    expect((await get(artifactUrlPath('known', 'tapped'))).status).toBe(404)
    expect((await get('/library/models/..%2F..%2Fsecret.txt.onnx')).status).toBe(404)
  })

  it('refuses anything but GET and HEAD', async () => {
    expect((await get('/', 'POST')).status).toBe(405)
    expect((await get('/', 'HEAD')).status).toBe(200)
  })
})
