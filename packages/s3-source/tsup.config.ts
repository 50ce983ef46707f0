import { packageBuild } from '../../tsup.base.js'

export default packageBuild({ entry: ['src/index.ts'], external: ['@aws-sdk/client-s3', 'p-retry', '@shuttersense/inventory-core'] })
