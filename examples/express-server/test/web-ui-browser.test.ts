/**
 * The web UI end to end in Debian's Chromium (playwright-core): the built server, a built agent process
 * and s3rver, driven only through the browser, as a user would. axe-core checks each main view.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, onTestFailed, vi } from 'vitest'
import { startAgentProcess, startS3Server, startServerProcess, type Child, type S3Server, type ServerProcess } from '../src/demo/processes.js'
import { expectedDelta, generate, location, reportFiles } from './generated-reports.js'
import { startSlowProxy, type SlowProxy } from './slow-proxy.js'

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 })

const CHROMIUM = '/usr/bin/chromium'
/** Chromium's flags for a container without a GPU, sandbox or network beyond the loopback. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
/** expect.poll's default second is short for a page on a busy CI machine. */
const POLL = { timeout: 10_000 }
const TOKEN = `ssu_e2e_${randomBytes(16).toString('hex')}`

let dir: string
let s3: S3Server
/** s3rver behind a proxy that holds each data-file GET: an import stays in phase A long enough to be seen. */
let slow: SlowProxy
/**
 * The server as the agent reaches it, behind a proxy that holds each FileInfo upload while `holdUploads`
 * is set (the agent sends one collection per upload): the next day's import stays in phase B. Phase C
 * cannot be held so: the import's collections are small, so core stores them in one batch and marks
 * them done together, just before the import ends.
 */
let slowServer: SlowProxy
let holdUploads = false
let server: ServerProcess
let agent: Child
let browser: BrowserContext
let page: Page
const day1 = () => path.join(dir, 'day1')
const day2 = () => path.join(dir, 'day2')

/** Serious and critical axe-core violations of the page as it is now, as `rule: target` lines. */
async function axeViolations(view: string): Promise<string[]> {
  // Page code as text: the tests' TypeScript has no DOM types.
  if (!(await page.evaluate('typeof axe === "object"'))) await page.addScriptTag({ content: AXE_SOURCE })
  const violations = (await page.evaluate(`axe.run(document).then((result) => result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => v.id + ' (' + v.impact + '): ' + v.nodes.map((n) => JSON.stringify(n.target)).join(' ')))`)) as string[]
  return violations.map((line) => `${view}: ${line}`)
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`)
  dir = mkdtempSync(path.join(tmpdir(), 'shuttersense-web-e2e-'))
  await generate(['generate', '--out', day1(), '--objects', '3000', '--files', '2', '--seed', '21'])
  await generate(['generate', '--out', day2(), '--change-from', day1(), '--change-pct', '6', '--seed', '22'])
  s3 = await startS3Server()
  await s3.createBucket(location.destinationBucket)
  await s3.uploadDirectory(location.destinationBucket, day1())
  slow = await startSlowProxy(s3.endpoint, (method, url) => method === 'GET' && /\/data\/[^/?]+(\?|$)/.test(url), 3000)
  const registration = randomBytes(16).toString('hex')
  server = await startServerProcess({
    SHUTTERSENSE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    SHUTTERSENSE_ADMIN_TOKEN: TOKEN,
    SHUTTERSENSE_AGENT_REGISTRATION_TOKEN: registration,
    SHUTTERSENSE_DATA_DIR: path.join(dir, 'server'),
    DATABASE_URL: '',
  })
  slowServer = await startSlowProxy(server.url, (method, url) => holdUploads && method !== 'GET' && /\/file-info(-changes|-batch)?$/.test(url), 3000)
  agent = startAgentProcess(slowServer.endpoint, {
    SHUTTERSENSE_AGENT_BATCH_ROWS: '1',
    SHUTTERSENSE_AGENT_REGISTRATION_TOKEN: registration,
    SHUTTERSENSE_AGENT_STATE: path.join(dir, 'agent.json'),
    SHUTTERSENSE_SCRATCH_DIR: path.join(dir, 'scratch'),
    SHUTTERSENSE_AGENT_NAME: 'e2e-agent',
  })
  browser = await chromium.launchPersistentContext(path.join(dir, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  })
  page = browser.pages()[0] ?? (await browser.newPage())
  page.setDefaultTimeout(30_000)
})

afterAll(async () => {
  await browser?.close()
  await agent?.stop()
  await server?.stop()
  await slowServer?.stop()
  await slow?.stop()
  await s3?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('the web UI in Chromium, against the server, an agent and s3rver', () => {
  it('create, configure and test a connector; import; map two folders; import the next day; see each delta; refresh from S3', async () => {
    // What the page showed when a step failed, for the log.
    onTestFailed(async () => {
      const shot = path.join(tmpdir(), `shuttersense-web-e2e-failure-${Date.now()}.png`)
      await page.screenshot({ path: shot, fullPage: true }).catch(() => undefined)
      process.stderr.write(`screenshot of the failed step: ${shot}\n${(await page.locator('main').innerText().catch(() => '')).slice(0, 3000)}\n`)
    })
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    const violations: string[] = []

    await page.goto(server.url)
    violations.push(...(await axeViolations('login')))
    await page.getByLabel('User token').fill(TOKEN)
    await page.getByRole('button', { name: 'Log in' }).click()
    await page.getByRole('heading', { name: 'Connectors' }).waitFor()
    await page.getByText('No connectors yet').waitFor()

    // Create, with an inventory setting the API refuses: its message appears at its field.
    await page.getByRole('link', { name: 'Create connector' }).click()
    await page.getByLabel('Name', { exact: true }).fill('Studio archive')
    await page.getByLabel('Access key id').fill(s3.credentials.accessKeyId)
    await page.getByLabel('Secret access key').fill(s3.credentials.secretAccessKey)
    await page.getByLabel('Region (optional)').fill(s3.credentials.region)
    await page.getByLabel('Endpoint (optional)').fill(slow.endpoint)
    await page.getByLabel('Path-style requests').check()
    await page.getByLabel('Destination bucket').fill(location.destinationBucket)
    await page.getByLabel('Destination prefix (optional)').fill(location.destinationPrefix!)
    await page.getByLabel('Source bucket').fill(`${location.sourceBucket}/2020`)
    await page.getByLabel('Inventory configuration name').fill(location.configName)
    await page.getByRole('button', { name: 'Create connector' }).click()
    await page.getByRole('alert').filter({ hasText: 'its inventory settings were not saved' }).waitFor()
    const sourceField = page.getByLabel('Source bucket')
    await expect.poll(() => sourceField.getAttribute('aria-invalid'), POLL).toBe('true')
    expect(await page.locator('#sourceBucket-error').textContent()).toBe('a bucket name, without "/"')
    violations.push(...(await axeViolations('form with an API error')))
    await sourceField.fill(location.sourceBucket)
    await page.getByRole('button', { name: 'Save' }).click()
    await page.getByText('Connector created.').waitFor()

    // Test access: the agent's finding in words.
    await page.getByRole('button', { name: 'Test access' }).click()
    await expect.poll(() => page.getByTestId('access-test-result').textContent(), { timeout: 30_000 }).toMatch(/^Access works: found CSV report \S+, 2 data files/)

    // Import now, followed to the end: its data files come slowly, so the page shows it running in phase A.
    await page.getByRole('link', { name: 'Inventory', exact: true }).click()
    await page.getByRole('button', { name: 'Import now' }).click()
    const progress = page.getByTestId('import-progress')
    await expect.poll(() => progress.locator('[aria-current="step"]').textContent().catch(() => null), { timeout: 30_000, interval: 100 }).toMatch(/^A: folders/)
    expect(await progress.innerText()).toMatch(/Phase A: folders, \d+%/)
    const history = page.getByRole('region', { name: 'Import history', exact: true })
    await history.getByRole('cell', { name: 'completed' }).first().waitFor({ timeout: 60_000 })
    await page.getByText(/^Import completed \(report \S+\)\./).waitFor()
    expect(slow.held()).toBeGreaterThan(0)
    // Import now again with no newer report: the page says nothing was new.
    await page.getByRole('button', { name: 'Import now' }).click()
    await page.getByText(/^No newer report than \S+: nothing to import, the last import stands\./).waitFor({ timeout: 30_000 })
    await expect.poll(() => page.getByText(/S3 requests, where a ListObjectsV2 scan of the bucket would need/).count(), POLL).toBeGreaterThan(0)
    violations.push(...(await axeViolations('inventory tab')))

    // The tree: open the first top-level folder and close it again (keyboard), then select the first two
    // top-level folders (click, shift-click) and map them with one name edited.
    const api = async <T,>(route: string): Promise<T> => (await (await fetch(`${server.url}${route}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as T
    const { connectors } = await api<{ connectors: { guid: string }[] }>('/api/connectors')
    const connectorGuid = connectors[0]!.guid
    await page.getByRole('link', { name: 'Folders', exact: true }).click()
    const tree = page.getByRole('tree', { name: 'Folders' })
    const tops = tree.getByRole('treeitem', { level: 1 })
    await tops.nth(1).waitFor()
    await tops.nth(0).click()
    await page.keyboard.press('ArrowRight')
    await expect.poll(() => tops.nth(0).getAttribute('aria-expanded'), POLL).toBe('true')
    await tree.getByRole('treeitem', { level: 2 }).first().waitFor()
    await page.keyboard.press('ArrowLeft')
    await expect.poll(() => tops.nth(0).getAttribute('aria-expanded'), POLL).toBe('false')
    expect(await tree.getByRole('treeitem', { level: 2 }).count()).toBe(0)
    await tops.nth(1).click({ modifiers: ['Shift'] })
    await expect.poll(() => tree.getByRole('treeitem', { selected: true }).count(), POLL).toBe(2)
    violations.push(...(await axeViolations('folder tree')))
    await page.getByRole('button', { name: 'Map to collections…' }).click()
    const dialog = page.getByRole('dialog', { name: /Map 2 folders to collections/ })
    const names = dialog.getByRole('textbox')
    // A name taken by another row is flagged before submit.
    const secondSuggested = await names.nth(1).inputValue()
    await names.nth(0).fill(secondSuggested)
    await dialog.getByText('Row 1 has the same name.').waitFor()
    expect(await dialog.getByRole('button', { name: 'Create 2 collections' }).isDisabled()).toBe(true)
    await names.nth(0).fill('Edited name')
    violations.push(...(await axeViolations('map dialog')))
    await dialog.getByRole('button', { name: 'Create 2 collections' }).click()
    await page.getByText(/^Created 2 collections\./).waitFor()
    await expect.poll(() => tree.getByRole('treeitem', { name: /mapped to Edited name/ }).count(), POLL).toBe(1)

    // One read of all the connector's jobs (two reads, running then queued, could miss one moving between them).
    const waitForIdle = async () =>
      expect
        .poll(async () => (await api<{ jobs: { status: string }[] }>(`/api/jobs?connector=${connectorGuid}`)).jobs.filter((j) => j.status === 'queued' || j.status === 'running').length, {
          timeout: 60_000,
        })
        .toBe(0)
    await waitForIdle()

    // The next day's report, imported from the inventory tab. Its uploads come slowly (one collection
    // each), so the page shows it storing FileInfo (phase B).
    await s3.uploadDirectory(location.destinationBucket, day2())
    await page.getByRole('link', { name: 'Inventory', exact: true }).click()
    holdUploads = true
    const uploadsHeld = slowServer.held()
    await page.getByRole('button', { name: 'Import now' }).click()
    await page.getByText(/^(Import queued|The import is running)/).waitFor()
    await expect.poll(() => progress.locator('[aria-current="step"]').textContent().catch(() => null), { timeout: 30_000, interval: 100 }).toMatch(/^B: FileInfo/)
    await waitForIdle()
    holdUploads = false
    expect(slowServer.held() - uploadsHeld).toBe(2)
    const { collections } = await api<{ collections: { guid: string; name: string; folderPath: string }[] }>(`/api/collections?connector=${connectorGuid}`)
    expect(collections.map((c) => c.name)).toContain('Edited name')
    expect(collections).toHaveLength(2)

    // Each collection's delta, as the page shows it, is the generated change.
    const before = await reportFiles(day1())
    const after = await reportFiles(day2())
    for (const collection of collections) {
      const expected = expectedDelta(before, after, collection.folderPath)
      await page.getByRole('link', { name: 'Collections', exact: true }).click()
      await page.getByRole('link', { name: collection.name, exact: true }).click()
      await expect
        .poll(() => page.getByTestId('latest-delta').textContent(), { timeout: 20_000 })
        .toContain(`${expected.new.length} new, ${expected.modified.length} modified, ${expected.deleted.length} deleted (${expected.unchanged.toLocaleString('en-US')} unchanged)`)
      const changed = expected.new.length + expected.modified.length + expected.deleted.length
      expect(await page.getByTestId('delta-shown').textContent()).toBe(`${changed.toLocaleString('en-US')} shown`)
      await page.getByLabel('Show', { exact: true }).selectOption('deleted')
      expect(await page.getByTestId('delta-shown').textContent()).toBe(`${expected.deleted.length} shown`)
      expect(await page.getByTestId('fileinfo-age').textContent()).toMatch(/updated from inventory just now/)
    }
    violations.push(...(await axeViolations('collection view')))

    // Refresh from S3 lists the folder live: three real objects under the last collection's folder.
    const live = collections.at(-1)!
    await s3.createBucket(location.sourceBucket)
    for (const name of ['a.jpg', 'b.jpg', 'c.jpg']) {
      await s3.client.send(new PutObjectCommand({ Bucket: location.sourceBucket, Key: `${live.folderPath}${name}`, Body: Buffer.from(name) }))
    }
    await page.getByRole('button', { name: 'Refresh from S3' }).click()
    await expect.poll(() => page.getByTestId('fileinfo-age').textContent(), { timeout: 30_000 }).toMatch(/^3 files, refreshed from S3 \(live listing\) just now/)
    expect((await api<{ fileInfoSource: string }>(`/api/collections/${live.guid}`)).fileInfoSource).toBe('api')
    await page.getByRole('region', { name: 'Files table', exact: true }).getByRole('cell', { name: 'b.jpg', exact: true }).waitFor()

    // A 409 lands on the row it names: another user takes the name while the dialog is open.
    await page.getByRole('link', { name: 'Studio archive', exact: true }).click()
    await page.getByRole('link', { name: 'Folders', exact: true }).click()
    await tops.nth(3).waitFor()
    await tops.nth(2).click()
    await page.getByRole('button', { name: 'Map to collections…' }).click()
    const single = page.getByRole('dialog', { name: /Map 1 folder to collections/ })
    const taken = await single.getByRole('textbox').inputValue()
    const folders = (await api<{ folders: { path: string }[] }>(`/api/connectors/${connectorGuid}/inventory/folders`)).folders
    const other = await fetch(`${server.url}/api/collections/from-inventory`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ connectorGuid, folders: [{ path: folders[3]!.path, name: taken }], importNow: false }),
    })
    expect(other.status).toBe(201)
    await single.getByRole('button', { name: 'Create 1 collection' }).click()
    await single.getByRole('alert').filter({ hasText: `Not created: a collection of this connector is already named "${taken}"` }).waitFor()
    expect(await single.getByRole('textbox').getAttribute('aria-invalid')).toBe('true')
    await single.getByRole('button', { name: 'Cancel' }).click()
    expect((await api<{ collections: unknown[] }>(`/api/collections?connector=${connectorGuid}`)).collections).toHaveLength(3)

    // A narrow (390 px) window: the tree still shows, and nothing makes the page scroll sideways.
    await page.setViewportSize({ width: 390, height: 844 })
    await page.getByRole('link', { name: 'Inventory', exact: true }).waitFor().catch(() => undefined)
    await page.goto(`${server.url}/connectors/${connectorGuid}/folders`)
    await page.getByRole('tree', { name: 'Folders' }).getByRole('treeitem').first().waitFor()
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)
    violations.push(...(await axeViolations('folder tree at 390 px')))

    expect(violations).toEqual([])
    expect(errors).toEqual([])
  })
})
