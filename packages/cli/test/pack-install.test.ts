import { execFile } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { build } from 'esbuild'
import { publint } from 'publint'
import { formatMessage } from 'publint/utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// What a user of the published packages gets: every published package is packed (from its build: CI
// builds before the tests), the tarballs are installed into a fresh project with dependencies from the
// npm cache, and the docs' embedding example is compiled and run there through the public API only.

const run = promisify(execFile)
const repo = path.resolve(import.meta.dirname, '../../..')
const PUBLISHED = ['packages/orc', 'packages/core', 'packages/storage-adapters', 'packages/s3-source', 'packages/cli']
const INSTALL_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error']

interface PackageJson {
  name: string
  version: string
  private?: boolean
  engines?: { node?: string }
  exports?: Record<string, unknown>
  bin?: Record<string, string>
  dependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  peerDependenciesMeta?: Record<string, { optional?: boolean }>
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T
const rootPackage = readJson<PackageJson & { workspaces: string[] }>(path.join(repo, 'package.json'))
const installedVersion = (name: string): string => readJson<PackageJson>(path.join(repo, 'node_modules', name, 'package.json')).version

function newestMtime(dir: string): number {
  return Math.max(...readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((file) => statSync(path.join(dir, file)).mtimeMs))
}

/** Every file path an `exports` value names, with the conditions that lead to it. */
function exportTargets(value: unknown, conditions: string[] = []): { target: string; conditions: string[] }[] {
  if (typeof value === 'string') return [{ target: value, conditions }]
  if (value === null || typeof value !== 'object') return []
  return Object.entries(value).flatMap(([key, inner]) => exportTargets(inner, [...conditions, key]))
}

/** Every condition object inside an `exports` entry (the entry itself included). */
function conditionBlocks(value: unknown): Record<string, unknown>[] {
  if (value === null || typeof value !== 'object') return []
  return [value as Record<string, unknown>, ...Object.values(value).flatMap(conditionBlocks)]
}

/** Problems with a packed package's manifest and files that a registry user would meet. */
function packageProblems(dir: string): string[] {
  const pkg = readJson<PackageJson>(path.join(dir, 'package.json'))
  const problems: string[] = []
  for (const file of ['README.md', 'LICENSE']) if (!existsSync(path.join(dir, file))) problems.push(`no ${file}`)
  if (existsSync(path.join(dir, 'LICENSE')) && readFileSync(path.join(dir, 'LICENSE'), 'utf8') !== readFileSync(path.join(repo, 'LICENSE'), 'utf8')) {
    problems.push('LICENSE differs from the repository LICENSE')
  }
  if (pkg.engines?.node !== rootPackage.engines?.node) problems.push(`engines.node is ${pkg.engines?.node}, the repository tests ${rootPackage.engines?.node}`)
  for (const [subpath, entry] of Object.entries(pkg.exports ?? {})) {
    for (const block of typeof entry === 'string' ? [] : conditionBlocks(entry)) {
      const keys = Object.keys(block)
      if (keys.includes('types') && keys[0] !== 'types') problems.push(`exports["${subpath}"]: "types" is not the first condition`)
      if (!keys.includes('default')) problems.push(`exports["${subpath}"]: a condition block without "default" (${keys.join(', ')})`)
    }
    if (typeof entry !== 'string' && !Object.keys(entry as object).includes('types')) problems.push(`exports["${subpath}"]: no "types"`)
    for (const { target, conditions } of exportTargets(entry)) {
      if (!existsSync(path.join(dir, target))) problems.push(`exports["${subpath}"] (${conditions.join(' > ') || 'default'}) names ${target}, which is not in the tarball`)
    }
  }
  for (const target of Object.values(pkg.bin ?? {})) if (!existsSync(path.join(dir, target))) problems.push(`bin ${target} is not in the tarball`)
  for (const [name, range] of Object.entries(pkg.dependencies ?? {})) {
    if (/^(file|link|workspace):/.test(range)) problems.push(`dependency ${name} is ${range}`)
  }
  return problems
}

/** The marked code examples of a docs page (`<!-- example: name.ts -->` before a ```ts block), by file name, and how many ```ts blocks it has. */
function docExamples(page: string): { examples: Map<string, string>; blocks: number } {
  const doc = readFileSync(path.join(repo, page), 'utf8')
  const examples = new Map([...doc.matchAll(/<!-- example: ([\w.-]+) -->\s*```ts\n([\s\S]*?)```/g)].map((match) => [match[1]!, match[2]!]))
  return { examples, blocks: [...doc.matchAll(/^```ts$/gm)].length }
}

// What the docs' examples import that is the user's own: `my-store.test.ts` tests "my store", here the
// import part of a SQLite store with the catalog and queue calls the example's fixtures name.
const MY_STORE = `import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import type { NewCollection, NewConnector } from '@shuttersense/inventory-core/types'
import { inventoryStoreFixtures as every } from '@shuttersense/inventory-core/testing'
import { createSqliteStore } from '@shuttersense/inventory-storage/sqlite'

type StartJob = typeof every.startJob

export async function openMyStore(_options: { database: string }) {
  const dir = mkdtempSync(path.join(tmpdir(), 'my-store-'))
  const store = createSqliteStore({ filename: path.join(dir, 'my.db') })
  await store.migrate()
  return Object.assign(store, {
    admin: {
      addConnector: (input: NewConnector) => every.createConnector(store, input),
      addCollections: (connectorId: string, collections: readonly NewCollection[]) => every.createCollections(store, connectorId, collections),
      folders: (connectorId: string) => every.readFolders(store, connectorId),
      latestDelta: (collectionId: string) => every.latestDelta(store, collectionId),
    },
    queue: {
      enqueueAndClaim: (connectorId: string, options: Parameters<StartJob>[2]) => every.startJob(store, connectorId, options),
      requestCancel: (jobId: string, now: Date) => every.requestCancel(store, jobId, now),
    },
    async dropEverything() {
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  })
}

export type MyStore = Awaited<ReturnType<typeof openMyStore>>
`

/** Runs `node` on a module in `cwd`, with `blocked` packages failing to load (a resolve hook). */
async function importBlocking(cwd: string, specifier: string, blocked: string[]): Promise<void> {
  const hooks = path.join(cwd, 'block-hooks.mjs')
  writeFileSync(
    hooks,
    `const blocked = ${JSON.stringify(blocked)}\n` +
      'export async function resolve(specifier, context, next) {\n' +
      '  if (blocked.includes(specifier)) throw new Error(`${specifier} was loaded`)\n' +
      '  return next(specifier, context)\n' +
      '}\n',
  )
  const register = path.join(cwd, 'block-register.mjs')
  writeFileSync(register, `import { register } from 'node:module'\nregister(${JSON.stringify(new URL(`file://${hooks}`).href)})\n`)
  await run(process.execPath, ['--import', register, '--input-type=module', '-e', `await import(${JSON.stringify(specifier)})`], { cwd })
}

describe('the published packages, packed and installed into a fresh project', () => {
  let work: string
  const unpacked = new Map<string, string>()
  const tarballs = new Map<string, string>()
  let app: string

  beforeAll(async () => {
    for (const dir of PUBLISHED) {
      // A stale build would test yesterday's package: fail with the fix rather than pass on old files.
      const src = path.join(repo, dir, 'src')
      const dist = path.join(repo, dir, 'dist')
      if (!existsSync(dist) || newestMtime(dist) < newestMtime(src)) throw new Error(`${dir}: the build is missing or older than src/: run \`npm run build\` first`)
    }
    work = mkdtempSync(path.join(tmpdir(), 'pack-install-'))
    const packed = path.join(work, 'tarballs')
    mkdirSync(packed)
    await Promise.all(
      PUBLISHED.map(async (dir) => {
        const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', packed, '--loglevel=error'], { cwd: path.join(repo, dir) })
        const [{ name, filename }] = JSON.parse(stdout) as [{ name: string; filename: string }]
        const tarball = path.join(packed, filename)
        tarballs.set(name, tarball)
        const out = path.join(work, 'unpacked', name)
        mkdirSync(out, { recursive: true })
        await run('tar', ['-xzf', tarball, '-C', out, '--strip-components=1'])
        unpacked.set(name, out)
      }),
    )

    // The app: every tarball plus what a TypeScript user adds. Install scripts are skipped: better-sqlite3
    // would compile from source for minutes (its prebuilt binaries cannot be downloaded here), so the
    // binary the repository's own install built is copied in (the same version, from the lock file).
    app = path.join(work, 'app')
    mkdirSync(app)
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'embedding-app', private: true, type: 'module' }))
    await run(
      'npm',
      [
        'install',
        ...INSTALL_FLAGS,
        '--ignore-scripts',
        ...tarballs.values(),
        `@types/node@${installedVersion('@types/node')}`,
        `@types/better-sqlite3@${installedVersion('@types/better-sqlite3')}`,
      ],
      { cwd: app },
    )
    const binary = 'build/Release/better_sqlite3.node'
    expect(installedVersion('better-sqlite3')).toBe(readJson<PackageJson>(path.join(app, 'node_modules/better-sqlite3/package.json')).version)
    mkdirSync(path.dirname(path.join(app, 'node_modules/better-sqlite3', binary)), { recursive: true })
    copyFileSync(path.join(repo, 'node_modules/better-sqlite3', binary), path.join(app, 'node_modules/better-sqlite3', binary))
  }, 240_000)

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true })
  })

  // Every example of docs/embedding.md, compiled together once with strict TypeScript against the
  // installed packages (the repository's TypeScript; the types come from the tarballs only), into out/.
  let compiled: Promise<void> | undefined
  const compileExamples = () =>
    (compiled ??= (async () => {
      const { examples } = docExamples('docs/embedding.md')
      for (const [name, code] of examples) writeFileSync(path.join(app, name), code)
      writeFileSync(path.join(app, 'my-store.ts'), MY_STORE)
      // The suites of /testing import vitest, a peer dependency a test of one's own store has installed.
      symlinkSync(path.join(repo, 'node_modules/vitest'), path.join(app, 'node_modules/vitest'), 'dir')
      writeFileSync(
        path.join(app, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022',
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            strict: true,
            noUncheckedIndexedAccess: true,
            skipLibCheck: true,
            types: ['node'],
            outDir: 'out',
          },
          files: [...examples.keys()],
        }),
      )
      await run(process.execPath, [path.join(repo, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: app }).catch((error: { stdout?: string }) => {
        throw new Error(`the examples do not compile against the packages:\n${error.stdout}`)
      })
    })())

  it('every TypeScript example of docs/embedding.md is marked, so the tests below compile it (and run it)', () => {
    const { examples, blocks } = docExamples('docs/embedding.md')
    expect([...examples.keys()].sort()).toEqual(['bundled.ts', 'embedding.ts', 'my-store.test.ts'])
    expect(blocks).toBe(examples.size)
  })

  it('packs every workspace package that is not private', () => {
    const publishable = rootPackage.workspaces.filter((dir) => !readJson<PackageJson>(path.join(repo, dir, 'package.json')).private)
    expect(publishable.sort()).toEqual([...PUBLISHED].sort())
  })

  it('each tarball has a README, the LICENSE, engines, and exports whose targets it holds, types first, with a default', () => {
    const problems = Object.fromEntries([...unpacked].map(([name, dir]) => [name, packageProblems(dir)]))
    expect(problems).toEqual(Object.fromEntries([...unpacked.keys()].map((name) => [name, []])))
  })

  it('publint finds nothing in any tarball', async () => {
    const messages: string[] = []
    for (const [name, dir] of unpacked) {
      const result = await publint({ pkgDir: dir, pack: false, level: 'suggestion' })
      for (const message of result.messages) messages.push(`${name}: ${message.type}: ${formatMessage(message, result.pkg) ?? message.code}`)
    }
    expect(messages).toEqual([])
  })

  it('are the types wrong: every entry resolves to types and JavaScript for ESM under Node and bundlers', async () => {
    const attw = path.join(repo, 'node_modules/@arethetypeswrong/cli/dist/index.js')
    const failures: string[] = []
    for (const [name, tarball] of tarballs) {
      // ESM only: CommonJS and node10 resolutions are not offered (and engines say Node 20.19+).
      await run(process.execPath, [attw, '--profile', 'esm-only', '--format', 'ascii', '--no-color', tarball]).catch((error: { stdout?: string }) =>
        failures.push(`${name}:\n${error.stdout ?? String(error)}`),
      )
    }
    expect(failures).toEqual([])
   }, 120_000)

  it('the storage package declares its drivers as optional peers, and each entry loads only its own driver', async () => {
    const storage = readJson<PackageJson>(path.join(unpacked.get('@shuttersense/inventory-storage')!, 'package.json'))
    expect(storage.dependencies).not.toHaveProperty('better-sqlite3')
    expect(storage.dependencies).not.toHaveProperty('pg')
    for (const driver of ['better-sqlite3', 'pg']) {
      expect(storage.peerDependencies).toHaveProperty(driver)
      expect(storage.peerDependenciesMeta?.[driver]?.optional).toBe(true)
    }
    await importBlocking(app, '@shuttersense/inventory-storage', ['better-sqlite3', 'pg'])
    await importBlocking(app, '@shuttersense/inventory-storage/postgres', ['better-sqlite3'])
    await importBlocking(app, '@shuttersense/inventory-storage/sqlite', ['pg'])
    // The check can fail: the hook does stop a driver the entry loads.
    await expect(importBlocking(app, '@shuttersense/inventory-storage/sqlite', ['better-sqlite3'])).rejects.toThrow(/better-sqlite3 was loaded/)
  })

  it('a PostgreSQL user installs no native module', async () => {
    const pgApp = path.join(work, 'pg-app')
    mkdirSync(pgApp)
    writeFileSync(path.join(pgApp, 'package.json'), JSON.stringify({ name: 'pg-app', private: true, type: 'module' }))
    const wanted = ['@shuttersense/inventory-orc', '@shuttersense/inventory-core', '@shuttersense/inventory-storage'].map((name) => tarballs.get(name)!)
    await run('npm', ['install', ...INSTALL_FLAGS, ...wanted, `pg@${installedVersion('pg')}`], { cwd: pgApp })
    expect(existsSync(path.join(pgApp, 'node_modules/pg'))).toBe(true)
    expect(existsSync(path.join(pgApp, 'node_modules/better-sqlite3'))).toBe(false)
    await run(process.execPath, ['--input-type=module', '-e', "const { createPostgresStore } = await import('@shuttersense/inventory-storage/postgres'); if (typeof createPostgresStore !== 'function') process.exit(1)"], {
      cwd: pgApp,
    })
  }, 120_000)

  it("runs the docs' embedding example, compiled with strict TypeScript, on a report the installed CLI generates", async () => {
    const inventory = path.join(app, 'inventory')
    const cli = path.join(app, 'node_modules/.bin/shuttersense-inventory')
    await run(cli, ['generate', '--out', inventory, '--source-bucket', 'photos', '--config', 'daily', '--objects', '3000', '--files', '2', '--seed', '3'], { cwd: app })

    await compileExamples()
    const { stdout } = await run(process.execPath, ['out/embedding.js', inventory, path.join(app, 'example.db')], { cwd: app })
    const printed = JSON.parse(stdout) as { objects: number; folders: number; collections: { folderPath: string; newFiles: number }[] }
    expect(printed.objects).toBe(3000)
    expect(printed.folders).toBeGreaterThan(printed.collections.length)
    expect(printed.collections.length).toBeGreaterThan(1)
    expect(printed.collections.every((collection) => collection.folderPath.split('/').length === 3)).toBe(true)
    // The first import of each Collection is its baseline: every file in it is new.
    expect(printed.collections.reduce((sum, collection) => sum + collection.newFiles, 0)).toBeGreaterThan(0)
  }, 120_000)

  it("runs the docs' sketch of a store's own test: the import part's conformance suite passes on it", async () => {
    await compileExamples()
    const vitest = path.join(repo, 'node_modules/vitest/vitest.mjs')
    await run(process.execPath, [vitest, 'run', '--root', app, '--reporter', 'json', '--outputFile', 'my-store.report.json', 'out/my-store.test.js'], { cwd: app })
    // (A case for an optional call the store lacks skips itself.)
    const report = readJson<{ numFailedTests: number; numPassedTests: number; success: boolean }>(path.join(app, 'my-store.report.json'))
    expect(report.success).toBe(true)
    expect(report.numFailedTests).toBe(0)
    expect(report.numPassedTests).toBeGreaterThan(10)
  }, 120_000)

  it("core's /pure entry, as installed, bundles whole for a browser: no Node.js built-in anywhere in it", async () => {
    const result = await build({
      // Nothing is external: an import of a `node:` module fails the build.
      stdin: { contents: "export * from '@shuttersense/inventory-core/pure'", resolveDir: app },
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      logLevel: 'silent',
    })
    expect(result.outputFiles[0]!.text).not.toMatch(/from ["']node:/)
    expect(result.outputFiles[0]!.text).toContain('suggestCollectionName')
  })

  it("bundled with esbuild: the worker parser says what to pass without its script, and the docs' bundled example runs on threads with it", async () => {
    // Without the script: a bundle of core alone, away from the installed package's worker script.
    const entry = path.join(app, 'bundle-entry.mjs')
    writeFileSync(
      entry,
      [
        "import { createWorkerParser } from '@shuttersense/inventory-core/node'",
        'try { createWorkerParser({ workers: 1 }); console.log(JSON.stringify({ created: true })) }',
        'catch (error) { console.log(JSON.stringify({ code: error.code, message: error.message })) }',
      ].join('\n'),
    )
    await compileExamples()
    const bundleDir = path.join(app, 'bundle')
    const bundle = (entryPoint: string, outfile: string) =>
      build({
        entryPoints: [entryPoint],
        outfile: path.join(bundleDir, outfile),
        bundle: true,
        platform: 'node',
        format: 'esm',
        absWorkingDir: app,
        // The native driver stays in node_modules; core is inlined, away from its worker script.
        external: ['better-sqlite3'],
        banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
        logLevel: 'silent',
      })
    await bundle(entry, 'no-script.mjs')
    await bundle(path.join(app, 'out/bundled.js'), 'bundled.mjs')
    const inventory = path.join(app, 'bundled-inventory')
    await run(path.join(app, 'node_modules/.bin/shuttersense-inventory'), ['generate', '--out', inventory, '--source-bucket', 'photos', '--config', 'daily', '--objects', '2000', '--files', '2'], { cwd: app })

    const withoutScript = JSON.parse((await run(process.execPath, [path.join(bundleDir, 'no-script.mjs')], { cwd: app })).stdout) as { code?: string; message?: string }
    expect(withoutScript.code).toBe('INVALID_ARGUMENT')
    expect(withoutScript.message).toMatch(/phase-a-worker\.js/)
    expect(withoutScript.message).toMatch(/workerScript/)
    expect(withoutScript.message).toContain(bundleDir)

    const withScript = JSON.parse((await run(process.execPath, [path.join(bundleDir, 'bundled.mjs'), inventory, path.join(app, 'bundled.db')], { cwd: app })).stdout) as { objects: number; workerScript: string }
    expect(withScript.objects).toBe(2000)
    expect(withScript.workerScript).toBe(path.join(app, 'node_modules/@shuttersense/inventory-core/dist/phase-a-worker.js'))
  })
})
