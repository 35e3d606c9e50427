/** The one Electron IPC channel that carries main → renderer events as (name, payload). */
export const APP_EVENT_CHANNEL = 'app:event'
