import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts', 'src/schemas.ts', 'src/main.ts', 'src/agent/main.ts', 'src/demo/processes.ts', 'src/demo/demo.ts', 'src/demo/start.ts'],
  format: ['esm'],
  dts: { entry: ['src/index.ts', 'src/schemas.ts'] },
  sourcemap: true,
  clean: true,
  target: 'node20',
  external: [/^@shuttersense\//, 'better-sqlite3', 'pg', /^@aws-sdk\//, 'express', 'pino', 'zod'],
})
