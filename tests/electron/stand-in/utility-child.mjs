// Loaded (--import) into each utility process the Electron stand-in starts: Electron's utility
// process API in a Node child process. `process.parentPort` delivers `{ data, ports }` message events
// and posts back with `postMessage` (structured clone, as Node's 'advanced' IPC serialization is).
import { EventEmitter } from 'node:events'
import { isMainThread } from 'node:worker_threads'

// A worker thread the utility process starts (onnxruntime-web's WASM threads, say) inherits this
// --import: there it is a plain Node worker, as in Electron, with nothing of the utility process's API.
if (isMainThread) startUtilityProcess()

function startUtilityProcess() {
  const send = process.send?.bind(process)
  if (!send) throw new Error('utility-child.mjs runs only in a utility process of the Electron stand-in')

  const parentPort = new EventEmitter()
  parentPort.postMessage = (message) => send(message)
  parentPort.start = () => undefined
  // Like Electron's parentPort, messages wait until the process listens for them (the main script may
  // still be loading when the first one comes).
  const queued = []
  process.on('message', (data) => {
    if (parentPort.listenerCount('message') === 0) queued.push(data)
    else parentPort.emit('message', { data, ports: [] })
  })
  parentPort.on('newListener', (event) => {
    if (event !== 'message') return
    setImmediate(() => {
      for (const data of queued.splice(0)) parentPort.emit('message', { data, ports: [] })
    })
  })
  // Electron ends a utility process with its parent.
  process.on('disconnect', () => process.exit(0))

  Object.defineProperty(process, 'parentPort', { value: parentPort })
  Object.defineProperty(process, 'type', { value: 'utility' })
}
