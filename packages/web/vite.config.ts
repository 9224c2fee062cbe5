// Builds the SPA into dist/, which the Server serves on its own origin (no CORS, no second port).
// `npm run dev -w @capstan/web` proxies /api to a Server on https://localhost:9443 for UI work.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // Heavy features (editor, terminal, charts, diff) are lazy chunks; warn if one grows past this.
    chunkSizeWarningLimit: 900,
  },
  server: {
    proxy: { '/api': { target: 'https://localhost:9443', secure: false, ws: true } },
  },
});
