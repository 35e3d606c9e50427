// `node --import ./tests/electron/stand-in/register.mjs`: `import 'electron'` resolves to the stand-in, for the
// scripts that open the app outside Vitest (npm run screenshot, the grid bench), as vitest.config.ts's alias does.
import { register } from 'node:module'
import { pathToFileURL } from 'node:url'

const standIn = pathToFileURL(new URL('./electron.ts', import.meta.url).pathname).href
const hook = `export async function resolve(specifier, context, next) {
  if (specifier === 'electron') return { url: ${JSON.stringify(standIn)}, shortCircuit: true }
  return next(specifier, context)
}`
register(`data:text/javascript,${encodeURIComponent(hook)}`)
