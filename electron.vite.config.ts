import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'
import tailwindcss from '@tailwindcss/vite'
import { CROSS_ORIGIN_ISOLATION_HEADERS } from './src/main/security/policy'

export default defineConfig({
  main: {
    build: {
      externalizeDeps: true,
      // The engine worker runs in a utility process of its own (src/main/electron/engine-process.ts); the
      // profile fit in a worker thread (src/main/knowledge/fit-in-worker.ts).
      rollupOptions: {
        input: {
          index: resolve('src/main/index.ts'),
          'engine-worker': resolve('src/main/engine-process/engine-worker.ts'),
          'fit-worker': resolve('src/main/knowledge/fit-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload must be one CommonJS file with its dependencies bundled.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('src/renderer'),
    plugins: [react(), tailwindcss()],
    // The dev server injects inline styles for hot reload, so only the built app gets the CSP (from the
    // app protocol: `electron-vite preview` runs the built app in Electron, never Vite's preview server).
    server: { headers: { ...CROSS_ORIGIN_ISOLATION_HEADERS } },
    worker: { format: 'es' },
    build: {
      target: 'es2022',
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
  },
})
