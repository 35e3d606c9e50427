/**
 * The Electron stand-in's process: `bin/electron APP_DIR` runs the app's main script (package.json
 * `main`) in Node with `import 'electron'` resolved to ./electron.ts, as Electron's binary would run it,
 * and connects to the test's renderer side over the socket named by STANDIN_SOCKET.
 *
 * Environment: STANDIN_SOCKET (required), STANDIN_APPDATA (Electron's appData; the test's temp folder),
 * STANDIN_RESOURCES_PATH (a packaged app: its resources folder, the app in `resources/app`),
 * STANDIN_PLATFORM (emulate 'darwin' or 'win32' for the glue's platform checks).
 */
import { readFileSync, statSync } from 'node:fs'
import { register } from 'node:module'
import { connect } from 'node:net'
import { dirname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { activate, ELECTRON_VERSION, StandIn } from './electron'
import { frameSocket, type Platform, type ToMain } from './wire'

const socketPath = process.env.STANDIN_SOCKET
if (!socketPath) throw new Error('STANDIN_SOCKET is not set: the Electron stand-in runs under the test harness.')
const appData = process.env.STANDIN_APPDATA
if (!appData) throw new Error('STANDIN_APPDATA is not set')
const resourcesPath = process.env.STANDIN_RESOURCES_PATH || undefined

// Electron's command line: the app's folder, then the app's own switches.
const args = process.argv.slice(2)
const appArg = resourcesPath ? join(resourcesPath, 'app') : (args.find((a) => !a.startsWith('-')) ?? '.')
let appDir = resolve(appArg)
if (statSync(appDir).isFile()) appDir = dirname(appDir)
const pkg = JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8')) as { main?: string }
const mainFile = join(appDir, pkg.main ?? 'index.js')

const socket = connect(socketPath)
await new Promise<void>((done, fail) => {
  socket.once('connect', done)
  socket.once('error', fail)
})
const started: { standIn?: StandIn } = {}
const post = frameSocket<ToMain>(socket, (message) => started.standIn?.receive(message))
socket.on('close', () => process.exit(70)) // the test went away

const standIn = new StandIn(
  { post },
  {
    appDir,
    appData,
    ...(process.env.STANDIN_PLATFORM && { platform: process.env.STANDIN_PLATFORM as Platform }),
    ...(resourcesPath && { resourcesPath }),
    argv: [process.execPath, ...args],
    exit: (code) => {
      // Let the last notices reach the test, then end like Electron's process does.
      socket.end(() => process.exit(code))
      setTimeout(() => process.exit(code), 500).unref()
    },
  },
)
started.standIn = standIn
activate(standIn)

Object.defineProperty(process, 'type', { value: 'browser' })
Object.defineProperty(process, 'resourcesPath', { value: standIn.resourcesPath })
Object.defineProperty(process.versions, 'electron', { value: ELECTRON_VERSION, enumerable: true })
if (!resourcesPath) Object.defineProperty(process, 'defaultApp', { value: true })
process.argv = [process.execPath, ...args]

// Electron shows an uncaught exception in the main process in an error box, and carries on.
process.on('uncaughtException', (error) => {
  standIn.dialog.showErrorBox(
    'A JavaScript error occurred in the main process',
    `Uncaught Exception:\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  )
})

// `import 'electron'` anywhere in the app resolves to this stand-in.
const hook = `export async function resolve(specifier, context, next) {
  if (specifier === 'electron') return { url: ${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'electron.ts')).href)}, shortCircuit: true }
  return next(specifier, context)
}`
register(`data:text/javascript,${encodeURIComponent(hook)}`)

// Electron emits 'ready' once the main script (an ES module and what it imports) has run.
await import(pathToFileURL(mainFile).href)
// The emulated platform reaches the glue's checks (process.platform) once the main script and what it
// imports have loaded: native modules (sharp) load this machine's binaries, as they must to run at all.
if (process.env.STANDIN_PLATFORM) Object.defineProperty(process, 'platform', { value: process.env.STANDIN_PLATFORM })
standIn.app.start()
