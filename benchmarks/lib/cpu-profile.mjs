// Preloaded with `--import` (NODE_OPTIONS, which refuses --cpu-prof): a V8 CPU profile of the whole
// process, written to $CPU_PROFILE_DIR/<pid>.cpuprofile when it exits. The same-thread inspector
// session answers synchronously, so the exit handler can still stop the profiler and write.
import { mkdirSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector'
import * as path from 'node:path'

const dir = process.env.CPU_PROFILE_DIR
if (dir) {
  const session = new Session()
  session.connect()
  session.post('Profiler.enable')
  session.post('Profiler.setSamplingInterval', { interval: 1000 })
  session.post('Profiler.start')
  process.once('exit', () => {
    session.post('Profiler.stop', (error, result) => {
      if (error) return
      mkdirSync(dir, { recursive: true })
      writeFileSync(path.join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile))
    })
  })
}
