import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { extname, normalize, relative, resolve, sep, isAbsolute } from 'node:path'
import { Readable } from 'node:stream'
import { artifactBySuffix, artifactSuffixes } from '../../shared/ipc/routes'
import type { ModelArtifact } from '../models/model-artifacts'
import { SECURITY_HEADERS } from '../security/policy'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.onnx': 'application/octet-stream',
}

export interface AppProtocolOptions {
  /** The built renderer (out/renderer). */
  rendererDir: string
  /**
   * The file behind a library model's URL (the model, its tapped copy, its classifier weights), or
   * undefined for a model the library does not know: nothing else is ever served.
   */
  resolveModelFile(id: string, artifact: ModelArtifact): Promise<string | undefined> | string | undefined
  /** The file behind a library photo's URL (its thumbnail or the photo), or undefined for an unknown photo. */
  resolvePhotoFile?(
    id: number,
    kind: 'thumb' | 'original',
    size: number,
  ): Promise<{ path: string; type: string } | undefined>
}

const PHOTO_ROUTE = /^\/library\/photos\/(\d{1,12})\/(?:thumb-(128|256|512)\.jpg|original)$/

const MODEL_ROUTE = new RegExp(
  `^/library/models/([^/]+?)(${artifactSuffixes()
    .map((suffix) => suffix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('|')})$`,
)

function textResponse(status: number, message: string): Response {
  return new Response(message, {
    status,
    headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' },
  })
}

/** A path inside `root` for the URL path, or undefined when it would leave `root`. */
function resolveInside(root: string, urlPath: string): string | undefined {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return undefined
  }
  if (decoded.includes('\0')) return undefined
  const candidate = resolve(root, '.' + normalize('/' + decoded))
  const rel = relative(root, candidate)
  if (rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) return undefined
  return candidate
}

async function fileResponse(path: string, contentType?: string): Promise<Response> {
  let size: number
  try {
    const info = await stat(path)
    if (!info.isFile()) return textResponse(404, 'Not found')
    size = info.size
  } catch {
    return textResponse(404, 'Not found')
  }
  const body = Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>
  return new Response(body, {
    status: 200,
    headers: {
      ...SECURITY_HEADERS,
      'Content-Type': contentType ?? CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': String(size),
      'Cache-Control': 'no-cache',
    },
  })
}

/**
 * The handler behind the app's custom protocol: serves the built renderer and the library's model
 * files, with the security headers on every response. Electron's `protocol.handle` calls it in the
 * app; tests serve the very same function over HTTP on 127.0.0.1.
 */
export function createAppRequestHandler(options: AppProtocolOptions): (request: Request) => Promise<Response> {
  const rendererDir = resolve(options.rendererDir)
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return textResponse(405, 'Method not allowed')
    const { pathname } = new URL(request.url)

    const model = MODEL_ROUTE.exec(pathname)
    if (model) {
      let id: string
      try {
        id = decodeURIComponent(model[1]!)
      } catch {
        return textResponse(400, 'Bad model id')
      }
      let file: string | undefined
      try {
        file = await options.resolveModelFile(id, artifactBySuffix(model[2]!)!)
      } catch (error) {
        return textResponse(500, `The model's files could not be prepared: ${(error as Error).message}`)
      }
      const json = model[2]!.endsWith('.json')
      if (!file) return textResponse(404, json ? 'Not there for this model' : 'No such model')
      return fileResponse(file, json ? 'application/json' : CONTENT_TYPES['.onnx'])
    }

    const photo = PHOTO_ROUTE.exec(pathname)
    if (photo && options.resolvePhotoFile) {
      const size = photo[2] ? Number(photo[2]) : 0
      let found: { path: string; type: string } | undefined
      try {
        found = await options.resolvePhotoFile(Number(photo[1]), photo[2] ? 'thumb' : 'original', size)
      } catch (error) {
        return textResponse(422, `This photo cannot be shown: ${(error as Error).message}`)
      }
      return found ? fileResponse(found.path, found.type) : textResponse(404, 'No such photo')
    }

    const file = resolveInside(rendererDir, pathname === '/' ? '/index.html' : pathname)
    if (!file) return textResponse(403, 'Forbidden')
    return fileResponse(file)
  }
}
