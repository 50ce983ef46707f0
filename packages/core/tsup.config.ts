import { packageBuild } from '../../tsup.base.js'

export default packageBuild({
  // The phase A worker is an entry of its own: worker threads load it by path (dist/phase-a-worker.js).
  entry: { index: 'src/index.ts', pure: 'src/pure.ts', types: 'src/public-types.ts', node: 'src/node.ts', internal: 'src/internal.ts', testing: 'src/testing.ts', 'phase-a-worker': 'src/node/phase-a-worker.ts' },
})
