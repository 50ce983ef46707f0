// The screenshots of docs/web-ui.md, taken in Chromium from a running installation with demo data:
//
//   npm start                      # prints the URL and the user token
//   node scripts/web-ui-screenshots.mjs http://127.0.0.1:8080 ssu_… [docs/web-ui]
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { chromium } from 'playwright-core'

const [url, token, out = 'docs/web-ui'] = process.argv.slice(2)
if (!url || !token) throw new Error('usage: node scripts/web-ui-screenshots.mjs URL USER_TOKEN [OUT_DIR]')
mkdirSync(out, { recursive: true })
const profile = mkdtempSync(path.join(tmpdir(), 'shuttersense-shots-'))
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 860 },
})
const page = context.pages()[0] ?? (await context.newPage())
const shot = (name, fullPage = false) => page.screenshot({ path: path.join(out, `${name}.png`), fullPage })
try {
  await page.goto(url)
  await shot('login')
  await page.getByLabel('User token').fill(token)
  await page.getByRole('button', { name: 'Log in' }).click()
  await page.getByRole('table').waitFor()
  await shot('connectors')
  const connector = page.getByRole('table').getByRole('link').first()
  await connector.click()
  await page.getByRole('heading', { name: 'Inventory import' }).waitFor()
  // "Import now", caught while it runs.
  await page.getByRole('button', { name: 'Import now' }).click()
  await page.getByTestId('import-progress').waitFor({ timeout: 10_000 }).catch(() => undefined)
  await shot('inventory', true)
  await page.getByRole('link', { name: 'Settings', exact: true }).click()
  await page.getByRole('button', { name: 'Test access' }).click()
  await page.getByText(/^Access works/).waitFor({ timeout: 30_000 })
  await shot('settings', true)
  await page.getByRole('link', { name: 'Folders', exact: true }).click()
  const foldersUrl = page.url()
  const tree = page.getByRole('tree', { name: 'Folders' })
  await tree.getByRole('treeitem').first().click()
  await page.keyboard.press('ArrowRight')
  await tree.getByRole('treeitem', { level: 2 }).first().waitFor()
  await page.keyboard.press('ArrowDown')
  await page.keyboard.press('ArrowDown')
  await page.keyboard.press('ArrowRight')
  await page.waitForTimeout(500)
  await page.keyboard.press('ArrowDown')
  await page.keyboard.press(' ')
  await page.keyboard.press('Shift+ArrowDown')
  await page.keyboard.press('Shift+ArrowDown')
  await page.waitForTimeout(300)
  await shot('folder-tree')
  await page.getByRole('button', { name: 'Map to collections…' }).click()
  const dialog = page.getByRole('dialog')
  await dialog.waitFor()
  const names = dialog.getByRole('textbox')
  if ((await names.count()) > 1) await names.nth(1).fill(await names.nth(0).inputValue())
  await shot('map-dialog')
  await page.keyboard.press('Escape')
  await page.getByRole('link', { name: 'Collections', exact: true }).click()
  await page.getByRole('region', { name: 'Collections table' }).waitFor()
  await shot('collections')
  await page.getByRole('region', { name: 'Collections table' }).getByRole('link').nth(2).click()
  await page.getByTestId('latest-delta').waitFor()
  await shot('collection', true)
  await page.setViewportSize({ width: 390, height: 844 })
  await page.goto(foldersUrl)
  await page.getByRole('tree').getByRole('treeitem').first().waitFor()
  await shot('folder-tree-390')
} finally {
  await context.close()
  rmSync(profile, { recursive: true, force: true })
}
