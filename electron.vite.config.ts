import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'
import tailwindcss from '@tailwindcss/vite'
import { CROSS_ORIGIN_ISOLATION_HEADERS, SECURITY_HEADERS } from './src/main/security'

export default defineConfig({
  main: {
    build: {
      externalizeDeps: true,
      // The engine worker runs in a utility process of its own (src/main/electron/engine-process.ts).
      rollupOptions: {
        input: { index: resolve('src/main/index.ts'), 'engine-worker': resolve('src/main/engine/engine-worker.ts') },
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
    // The dev server injects inline styles for hot reload, so only the built app gets the CSP.
    server: { headers: { ...CROSS_ORIGIN_ISOLATION_HEADERS } },
    preview: { headers: { ...SECURITY_HEADERS } },
    worker: { format: 'es' },
    build: {
      target: 'es2022',
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
  },
})
