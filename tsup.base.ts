import { defineConfig, type Options } from 'tsup'

/**
 * The build every package of this repository shares: ESM for the Node.js version CI tests, with
 * declarations and source maps, into a clean dist/. A package passes its entries, and what differs.
 */
export function packageBuild(options: Options & Pick<Required<Options>, 'entry'>) {
  return defineConfig({ format: ['esm'], dts: true, sourcemap: true, clean: true, target: 'node20', ...options })
}
