#!/usr/bin/env node
import { limitHeapGrowth } from '@shuttersense/inventory-core/node'
import { main } from './main.js'

// This process imports inventories: keep its heap near what is live (see limitHeapGrowth).
limitHeapGrowth()

// Ctrl-C aborts the import cleanly; the session stays resumable and the next run continues it.
const controller = new AbortController()
process.once('SIGINT', () => controller.abort(new Error('interrupted')))
process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }, controller.signal)
