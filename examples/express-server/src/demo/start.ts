/**
 * `npm start`: the demo's services (s3rver, the server, one agent) with the demo's data, staying up
 * until Ctrl-C. The server listens on PORT (default 8080); the printed token logs in.
 */
import { runHttpDemo } from './http-demo.js'

// The AWS SDK's note about Node 22 (harmless here) would be the first thing a new user reads.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

const port = process.env.PORT ? Number(process.env.PORT) : 8080
try {
  const installation = await runHttpDemo({ port })
  process.stdout.write(
    `\nShutterSense is up with the demo data:\n\n  URL         ${installation.url}/\n  user token  ${installation.userToken}\n  API docs    ${installation.url}/api/docs\n\nCtrl-C stops s3rver, the server and the agent and deletes the demo data.\n`,
  )
  let stopping = false
  const stop = (): void => {
    if (stopping) return
    stopping = true
    void installation.stop().finally(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
} catch (error) {
  process.stderr.write(`start failed: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
}
