// The web app's build: web/ → web/dist/, served by the server at `/` (src/web-static.ts).
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  // `npm run web:dev`: the app with hot reload, the API from a server on :8080.
  server: { proxy: { '/api': 'http://localhost:8080' } },
});
