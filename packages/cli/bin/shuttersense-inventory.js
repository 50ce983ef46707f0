#!/usr/bin/env -S node --max-semi-space-size=8
// The installed command. It is committed (unlike dist/) so that `npm ci` links it even before the first
// build; it loads the build, or says how to make one.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const built = new URL('../dist/bin.js', import.meta.url)
if (!existsSync(fileURLToPath(built))) {
  process.stderr.write('shuttersense-inventory is not built yet: run `npm run build` in the repository first\n')
  process.exit(1)
}
await import(built.href)
