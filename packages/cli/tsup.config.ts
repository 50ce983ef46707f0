import { packageBuild } from '../../tsup.base.js'

export default packageBuild({
  entry: ['src/index.ts', 'src/bin.ts', 'src/demo.ts'],
  dts: { entry: 'src/index.ts' },
  external: [/^@shuttersense\//, 'better-sqlite3', 'pg', /^@aws-sdk\//],
})
