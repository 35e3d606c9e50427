/** The one Electron IPC channel that carries main → renderer events as (name, payload). */
export const APP_EVENT_CHANNEL = 'app:event'

/**
 * Renderer → main: the page starts (`true`) or stops (`false`) listening to an event, sent by the
 * preload as `(name, listening)`. The main process sends a page only the events it listens to, and
 * knows from this whether a window can answer its requests (WebGPU measurements and batches).
 */
export const APP_LISTEN_CHANNEL = 'app:listen'
