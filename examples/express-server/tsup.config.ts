import { packageBuild } from '../../tsup.base.js'

export default packageBuild({
  entry: ['src/index.ts', 'src/schemas.ts', 'src/main.ts', 'src/agent/main.ts', 'src/demo/processes.ts', 'src/demo/demo.ts', 'src/demo/start.ts'],
  dts: { entry: ['src/index.ts', 'src/schemas.ts'] },
  external: [/^@shuttersense\//, 'better-sqlite3', 'pg', /^@aws-sdk\//, 'express', 'pino', 'zod'],
})
