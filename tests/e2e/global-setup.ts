import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { repoRoot } from '../support/shared'

/** Builds the app once (main, preload, renderer) so the end-to-end tests run the real bundle. */
export default function setup(): void {
  if (process.env.E2E_SKIP_BUILD === '1') return
  execFileSync(
    process.execPath,
    [join(repoRoot, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
    {
      cwd: repoRoot,
      stdio: 'inherit',
    },
  )
}
