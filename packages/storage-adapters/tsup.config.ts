import { packageBuild } from '../../tsup.base.js'

export default packageBuild({ entry: ['src/index.ts', 'src/sqlite.ts', 'src/postgres.ts'], external: ['better-sqlite3', 'pg', '@shuttersense/inventory-core'] })
