// Runs the build (or the command given as arguments) and prints its output only when it fails:
// `npm run demo` and friends should show the demo, not pages of tsup logs.
import { spawnSync } from 'node:child_process'

const [command, ...args] = process.argv.length > 2 ? process.argv.slice(2) : ['npm', 'run', 'build', '--silent']
const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, shell: process.platform === 'win32' })
if (result.status !== 0) {
  process.stdout.write(result.stdout ?? '')
  process.stderr.write(result.stderr ?? '')
  process.stderr.write(`build failed (${result.error?.message ?? `exit ${result.status ?? result.signal}`})\n`)
  process.exit(result.status || 1)
}
