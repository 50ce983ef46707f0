#!/usr/bin/env -S node --max-semi-space-size=8
import { limitHeapGrowth } from '@shuttersense/inventory-core/node'
import { main } from './main.js'

// This process imports inventories: keep its heap near what is live (see limitHeapGrowth). The young
// generation is capped by the flag above, which V8 takes only at startup: its default (16 MB semi-spaces)
// costs ~25 MB more peak memory at 10M objects, for no speed.
limitHeapGrowth()

// Ctrl-C aborts the import cleanly; the session stays resumable and the next run continues it.
const controller = new AbortController()
process.once('SIGINT', () => controller.abort(new Error('interrupted')))
process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }, controller.signal)
