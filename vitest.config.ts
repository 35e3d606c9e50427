import { availableParallelism } from 'node:os'
import { resolve } from 'node:path'
import { defineConfig } from 'vitest/config'

/** `import 'electron'` in the tests (the app's glue) is the Electron stand-in: Electron's binary is not needed. */
const electronStandIn = { electron: resolve(import.meta.dirname, 'tests/electron/stand-in/electron.ts') }

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias: electronStandIn },
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          // Vitest's default (one core less than the machine has) runs one file at a time on 2 cores; the
          // heavy files wait on worker threads and child processes, so two at once use both cores.
          maxWorkers: Math.max(2, availableParallelism() - 1),
        },
      },
      {
        resolve: { alias: electronStandIn },
        test: {
          name: 'e2e',
          // tests/electron/: the built app against the Electron stand-in (tests/electron/stand-in).
          include: ['tests/e2e/**/*.test.ts', 'tests/electron/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/e2e/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // Two files at once: each waits much of its time on Chromium, the engine worker or a child process,
          // so two use both cores of a 2-core machine (one at a time left half of the CPU idle).
          maxWorkers: 2,
        },
      },
    ],
  },
})
