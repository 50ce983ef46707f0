import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

/** Every reader of a data file format (CSV today, Parquet and ORC as they land), each held to 90% of its lines on its own. */
function readerThresholds(): Record<string, { lines: number }> {
  const readers = readdirSync(fileURLToPath(new URL('packages/core/src', import.meta.url)), { recursive: true, encoding: 'utf8' })
    .filter((file) => /(csv|parquet|orc)[^/]*\.ts$/i.test(file) && !file.startsWith('testing'))
    .map((file) => [`packages/core/src/${file.replaceAll('\\', '/')}`, { lines: 90 }] as const)
  return Object.fromEntries(readers)
}

/** Every file of the ORC reader package, each held to 90% of its lines on its own. */
function orcPackageThresholds(): Record<string, { lines: number }> {
  const files = readdirSync(fileURLToPath(new URL('packages/orc/src', import.meta.url)), { encoding: 'utf8' }).filter((file) => file.endsWith('.ts') && file !== 'index.ts')
  return Object.fromEntries(files.map((file) => [`packages/orc/src/${file}`, { lines: 90 }] as const))
}

export default defineConfig({
  // Tests run against each package's TypeScript source, not its build (the `@shuttersense/source`
  // export condition points at src/).
  resolve: { conditions: ['@shuttersense/source'] },
  ssr: { resolve: { conditions: ['@shuttersense/source'], externalConditions: ['@shuttersense/source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'examples/*/web/test/**/*.test.ts'],
    // Builds the worker parser's script from the sources (see the file).
    globalSetup: ['./test-setup/build-worker.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // `npm test` (and so CI) measures line coverage and fails under these thresholds: today's figures
    // less a little (measured over the whole suite, 2026-12-02), and NFR-030's 90% for the parsing logic
    // and for every reader, each file on its own.
    coverage: {
      provider: 'v8',
      include: ['packages/core/src/**/*.ts', 'packages/storage-adapters/src/**/*.ts', 'packages/s3-source/src/**/*.ts', 'packages/orc/src/**/*.ts'],
      exclude: ['packages/core/src/testing/**', 'packages/core/src/testing.ts'],
      reporter: ['text-summary', 'json-summary'],
      thresholds: {
        lines: 90,
        // Measured: lines 93.2, branches 87.4 (the worker thread's script counts as uncovered: it runs from the build).
        'packages/core/src/**': { lines: 92, branches: 86 },
        // Measured: lines 98.4, branches 90.5.
        'packages/core/src/parse/**': { lines: 96, branches: 89 },
        'packages/core/src/manifest/**': { lines: 98, branches: 98 },
        // Measured: lines 98.2 and 97.3.
        'packages/storage-adapters/src/**': { lines: 96, branches: 89 },
        'packages/s3-source/src/**': { lines: 95, branches: 84 },
        ...readerThresholds(),
        // The ORC reader package (packages/orc): every file on its own, like the readers in core.
        ...orcPackageThresholds(),
      },
    },
  },
})
