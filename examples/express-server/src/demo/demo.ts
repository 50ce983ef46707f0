/**
 * `npm run demo`: the PRD's workflow through the HTTP API (see `http-demo.ts`) on real processes, then
 * everything stops and the temporary files are deleted. `DATABASE_URL=postgres://…` runs it on Postgres.
 */
import { runHttpDemo } from './http-demo.js'

// The AWS SDK's note about Node 22 (harmless here) would be the first thing a new user reads.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

try {
  const installation = await runHttpDemo()
  await installation.stop()
  process.stdout.write('\nDone: every step went through the HTTP API; s3rver, the server and the agent are stopped.\n')
} catch (error) {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
}
