import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { repoRoot } from './shared'

const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs one of the real CLIs (`src/cli/<script>`) in a child Node process through tsx, as `npm run` does. */
export function runCliScript(
  script: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', tsxLoader, join(repoRoot, 'src', 'cli', script), ...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}
