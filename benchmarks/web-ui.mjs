/* global document, sessionStorage, requestAnimationFrame, KeyboardEvent */
// Web UI benchmark (NFR-003): the folder tree in Chromium, served by the reference server on loopback from a
// SQLite file. Two connectors: one with 10,000 sibling folders at its top level, one with 100,000 folders in all
// (10 top-level folders of 10,000 each). Times, measured in the page from navigation start: first rendered
// row, interactive (the whole level loaded and a key press answered within a frame), and scroll frame times.
// Beside them, in the same run, the reference: the same 10,000 rows as plain DOM (no virtualization).
// Prints one JSON document.
//
//   npm run build && node benchmarks/web-ui.mjs [--siblings 10000] [--tops 10] [--per 10000] [--runs 3]
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import * as path from 'node:path'
import { parseArgs } from 'node:util'
import { chromium } from 'playwright-core'
import { createApp, createLogger, openStores } from '../examples/express-server/dist/index.js'

const { values } = parseArgs({
  options: { siblings: { type: 'string', default: '10000' }, tops: { type: 'string', default: '10' }, per: { type: 'string', default: '10000' }, runs: { type: 'string', default: '3' } },
})
const SIBLINGS = Number(values.siblings)
const TOPS = Number(values.tops)
const PER = Number(values.per)
const RUNS = Number(values.runs)
const WEB_DIST = path.resolve(import.meta.dirname, '../examples/express-server/web/dist')
const CHROMIUM = '/usr/bin/chromium'
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
if (!existsSync(path.join(WEB_DIST, 'index.html'))) throw new Error('run npm run build first (web/dist is missing)')
const log = (message) => process.stderr.write(`[web-ui] ${message}\n`)

const folder = (p, objects, direct, i) => ({
  path: p,
  objectCount: objects,
  totalSizeBytes: objects * 3_500_000 + i,
  directObjectCount: direct,
  directSizeBytes: direct * 3_500_000,
  lastModified: new Date(Date.UTC(2024, 0, 1) + (i % 1000) * 3_600_000).toISOString(),
})
function* siblings() {
  for (let i = 0; i < SIBLINGS; i++) {
    const name = `${String(i).padStart(5, '0')} Event ${i % 97}/`
    yield folder(name, 30, 20, i)
    yield folder(`${name}raw/`, 10, 10, i)
  }
}
function* wide() {
  for (let t = 0; t < TOPS; t++) {
    const top = `${2010 + t}/`
    yield folder(top, PER * 12, 0, t)
    for (let i = 0; i < PER; i++) yield folder(`${top}${String(i).padStart(5, '0')} Shoot ${i % 89}/`, 12, 12, i)
  }
}

/** In the page: p50/p95/max of frame intervals while the list scrolls `px` per frame for `frames` frames. */
const SCROLL = `(async ({ selector, px, frames }) => {
  const list = document.querySelector(selector)
  const times = []
  let last = await new Promise((r) => requestAnimationFrame(r))
  for (let i = 0; i < frames; i++) {
    list.scrollTop += px
    const now = await new Promise((r) => requestAnimationFrame(r))
    times.push(now - last)
    last = now
  }
  times.sort((a, b) => a - b)
  const at = (q) => Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))] * 10) / 10
  return { frames, p50: at(0.5), p95: at(0.95), max: at(1), over33ms: times.filter((t) => t > 33.4).length }
})`

/** In the page: ms from a key press on the tree to the second frame after it (the answer is painted). */
const KEY = `(async ({ key, times }) => {
  const tree = document.querySelector('[role=tree]')
  const ms = []
  for (let i = 0; i < times; i++) {
    const start = performance.now()
    tree.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }))
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))
    ms.push(performance.now() - start)
  }
  ms.sort((a, b) => a - b)
  return { presses: times, p50: Math.round(ms[Math.floor(ms.length / 2)] * 10) / 10, max: Math.round(ms.at(-1) * 10) / 10 }
})`

async function metrics(page) {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Performance.enable')
  const { metrics: list } = await cdp.send('Performance.getMetrics')
  await cdp.detach()
  const get = (name) => list.find((m) => m.name === name)?.value ?? null
  return { domNodes: get('Nodes'), jsHeapMB: Math.round((get('JSHeapUsedSize') ?? 0) / 1e5) / 10 }
}

const dir = await mkdtemp(path.join(tmpdir(), 'ss-bench-web-'))
const stores = await openStores({ kind: 'sqlite', filename: path.join(dir, 'db.sqlite') }, { key: randomBytes(32), previousKeys: [] })
let server
let browser
try {
  const location = { destinationBucket: 'd', sourceBucket: 's', configName: 'c' }
  const flat = await stores.store.createConnector({ name: `${SIBLINGS} siblings`, location })
  const deep = await stores.store.createConnector({ name: `${TOPS * PER + TOPS} folders`, location })
  log(`storing ${SIBLINGS * 2} and ${TOPS * PER + TOPS} folders`)
  await stores.store.replaceFolders(flat.id, siblings())
  await stores.store.replaceFolders(deep.id, wide())
  const { token } = await stores.serverStore.createUserToken('bench')
  const config = { jsonBodyLimitBytes: 1 << 20, adminToken: null, agentRegistrationToken: null, logObjectKeys: false }
  const app = createApp({ store: stores.store, serverStore: stores.serverStore, config, logger: createLogger({ level: 'warn' }), webDir: WEB_DIST })
  server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  const base = `http://127.0.0.1:${server.address().port}`
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS })

  const newPage = async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    await context.addInitScript((t) => sessionStorage.setItem('shuttersense.userToken', t), token)
    return context.newPage()
  }
  const runs = { siblings: [], wide: [], plainDom: [] }
  for (let run = 0; run < RUNS; run++) {
    // 1. 10,000 siblings at the top level.
    {
      const page = await newPage()
      await page.goto(`${base}/connectors/${flat.id}/folders`)
      const firstRow = await page.waitForFunction(() => document.querySelector('[role=treeitem]') && performance.now(), null, { polling: 'raf', timeout: 30_000 })
      const loaded = await page.waitForFunction(
        (n) => new RegExp(`^${n} top-level folders;`).test(document.querySelector('.folder-tree > p.small')?.textContent ?? '') && performance.now(),
        SIBLINGS.toLocaleString('en-US'),
        { polling: 'raf', timeout: 60_000 },
      )
      const key = await page.evaluate(`${KEY}({ key: 'ArrowDown', times: 20 })`)
      const scroll = await page.evaluate(`${SCROLL}({ selector: '.tree-list', px: 180, frames: 240 })`)
      const sorted = await page.evaluate(async () => {
        const start = performance.now()
        document.querySelectorAll('.tree-head .sort')[2].click()
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))
        return Math.round((performance.now() - start) * 10) / 10
      })
      runs.siblings.push({ firstRowMs: Math.round(await firstRow.jsonValue()), interactiveMs: Math.round(await loaded.jsonValue()), keyToFrameMs: key, sortBySizeMs: sorted, scrollFrameMs: scroll, ...(await metrics(page)) })
      await page.context().close()
    }
    // 2. 100,000 folders in all: open a top-level folder of 10,000 (keyboard), scroll it, search.
    {
      const page = await newPage()
      await page.goto(`${base}/connectors/${deep.id}/folders`)
      const firstRow = await page.waitForFunction(() => document.querySelector('[role=treeitem]') && performance.now(), null, { polling: 'raf', timeout: 30_000 })
      await page.waitForFunction(() => !document.querySelector('.tree-row.loading'), null, { polling: 'raf' })
      await page.focus('[role=tree]')
      const pressedAt = await page.evaluate(() => {
        document.querySelector('[role=tree]').dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }))
        return performance.now()
      })
      const childRow = await page.waitForFunction(() => document.querySelector('[role=treeitem][aria-level="2"]') && performance.now(), null, { polling: 'raf', timeout: 30_000 })
      const levelDone = await page.waitForFunction(() => !document.querySelector('.tree-row.loading') && performance.now(), null, { polling: 'raf', timeout: 60_000 })
      const scroll = await page.evaluate(`${SCROLL}({ selector: '.tree-list', px: 180, frames: 240 })`)
      const searchStart = await page.evaluate(() => performance.now())
      await page.fill('#folder-search', 'Shoot 7')
      const searched = await page.waitForFunction(() => /whose path contains/.test(document.querySelector('.folder-tree [role=status]')?.textContent ?? '') && performance.now(), null, { polling: 'raf', timeout: 30_000 })
      runs.wide.push({
        firstRowMs: Math.round(await firstRow.jsonValue()),
        openLevel: { firstChildMs: Math.round((await childRow.jsonValue()) - pressedAt), wholeLevelMs: Math.round((await levelDone.jsonValue()) - pressedAt) },
        scrollFrameMs: scroll,
        searchMs: Math.round((await searched.jsonValue()) - searchStart),
        searchNote: 'includes the 300 ms typing debounce',
        ...(await metrics(page)),
      })
      await page.context().close()
    }
    // Reference: the same number of rows as plain DOM in the app's page (no virtualization).
    {
      const page = await newPage()
      await page.goto(`${base}/`)
      await page.waitForSelector('h1')
      const built = await page.evaluate((n) => {
        const start = performance.now()
        const list = document.createElement('div')
        list.className = 'tree-list'
        list.style.contain = 'none'
        const inner = document.createElement('div')
        for (let i = 0; i < n; i++) {
          const row = document.createElement('div')
          row.className = 'tree-row'
          row.style.position = 'relative'
          row.setAttribute('role', 'treeitem')
          row.innerHTML = `<span class="check"></span><span class="name"><span class="twisty">▸</span><span class="label">${String(i).padStart(5, '0')} Event ${i % 97}</span></span><span class="num">30</span><span class="num">105 MB</span><span class="date">1 Jan 2024, 01:00</span>`
          inner.appendChild(row)
        }
        list.appendChild(inner)
        document.body.replaceChildren(list)
        void list.offsetHeight
        return new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(Math.round(performance.now() - start)))))
      }, SIBLINGS)
      const scroll = await page.evaluate(`${SCROLL}({ selector: '.tree-list', px: 180, frames: 240 })`)
      runs.plainDom.push({ rows: SIBLINGS, buildAndPaintMs: built, scrollFrameMs: scroll, ...(await metrics(page)) })
      await page.context().close()
    }
    log(`run ${run + 1}/${RUNS} done`)
  }
  console.log(
    JSON.stringify(
      { chromium: browser.version(), viewport: '1280x900', siblings: SIBLINGS, wide: { topLevel: TOPS, perTopLevel: PER, folders: TOPS * PER + TOPS }, runs, loadavg: loadavg() },
      null,
      2,
    ),
  )
} finally {
  await browser?.close()
  server?.close()
  await stores.close()
  await rm(dir, { recursive: true, force: true })
}
