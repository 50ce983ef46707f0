import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

// `npm run dev -w @shuttersense/inventory-web` serves the UI with hot reload and sends /api to a server on
// SHUTTERSENSE_SERVER_URL (default http://127.0.0.1:8080, e.g. `npm start`).
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, target: 'es2022' },
  server: { proxy: { '/api': process.env.SHUTTERSENSE_SERVER_URL ?? 'http://127.0.0.1:8080' } },
})
