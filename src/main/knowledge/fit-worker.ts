/**
 * Entry of the profile fit's worker thread: fitting a profile to thousands of photos of a large model takes
 * minutes of arithmetic, which must not stop the main process's event loop (the window's IPC and protocol).
 * One message in (`FitProfileInput`), one reply out, then the thread ends.
 */
import { setPriority } from 'node:os'
import { parentPort } from 'node:worker_threads'
import { fitProfile, type FitProfileInput } from './fit-profile'

try {
  setPriority(0, 10) // background work: the window and the main process come first
} catch {
  // Not permitted here: the normal priority.
}

parentPort?.once('message', (input: FitProfileInput) => {
  try {
    parentPort!.postMessage({ ok: true, value: fitProfile(input) })
  } catch (error) {
    parentPort!.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) })
  }
})
