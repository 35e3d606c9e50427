/**
 * The app's electron-vite config for `electron-vite dev` under the test harness (tests/electron/dev.test.ts):
 * the same config, its dev server on the port STANDIN_DEV_PORT names and on no other (electron-vite
 * tells the app the configured port, not the one Vite falls back to when it is taken).
 */
import type { UserConfig } from 'electron-vite'
import config from '../../electron.vite.config'

const port = Number(process.env.STANDIN_DEV_PORT)
if (!Number.isInteger(port) || port <= 0) throw new Error('STANDIN_DEV_PORT is not set')

const base = config as UserConfig

const devConfig: UserConfig = {
  ...base,
  renderer: { ...base.renderer, server: { ...base.renderer?.server, port, strictPort: true } },
}

export default devConfig
