import { defineConfig } from 'vitest/config'

export default defineConfig({
  // Tests run against each package's TypeScript source, not its build (the `@shuttersense/source`
  // export condition points at src/).
  resolve: { conditions: ['@shuttersense/source'] },
  ssr: { resolve: { conditions: ['@shuttersense/source'], externalConditions: ['@shuttersense/source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    // Builds the worker parser's script from the sources (see the file).
    globalSetup: ['./test-setup/build-worker.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // `npm run test:coverage`: the whole suite over core's sources (the conformance suite is test code).
    coverage: {
      provider: 'v8',
      include: ['packages/core/src/**/*.ts'],
      exclude: ['packages/core/src/testing/**', 'packages/core/src/testing.ts'],
      reporter: ['text-summary', 'json-summary'],
      thresholds: { lines: 90 },
    },
  },
})
