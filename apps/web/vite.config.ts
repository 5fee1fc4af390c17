import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
// `npm run dev:web` serves the console with hot reload and sends API calls to a running stack.
const api = process.env.STEWARD_API ?? 'http://localhost:3000';
const apiPrefixes = ['/me', '/tasks', '/notifications', '/change-requests', '/complaints', '/audit', '/cases', '/reports', '/dev', '/health', '/docs', '/pips', '/crises', '/approval-requests', '/approval-types'];

export default defineConfig({
  root: here,
  plugins: [react()],
  build: {
    outDir: `${here}../../dist/web`,
    emptyOutDir: true,
    sourcemap: true,
    // the libraries change less often than the console: a chunk of their own, cached across releases
    rollupOptions: {
      output: { manualChunks: { vendor: ['react', 'react-dom', 'react-router', '@tanstack/react-query', 'i18next', 'react-i18next', 'react-hook-form', 'openapi-fetch'] } },
    },
  },
  server: { proxy: Object.fromEntries(apiPrefixes.map((p) => [p, api])) },
});
