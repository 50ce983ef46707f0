import { readFileSync, readdirSync } from 'node:fs'
import * as path from 'node:path'
import { build } from 'esbuild'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

// What each entry of core offers, and what it needs to run.
const src = path.resolve(import.meta.dirname, '../src')

/** Bundles an entry from the sources for a runtime without Node.js: every import must resolve, and no `node:*` module exists there. */
async function bundleWithoutNode(entry: string): Promise<{ errors: string[]; code: string }> {
  try {
    const result = await build({
      entryPoints: [path.join(src, entry)],
      bundle: true,
      write: false,
      platform: 'neutral',
      format: 'esm',
      mainFields: ['module', 'main'],
      logLevel: 'silent',
    })
    return { errors: [], code: result.outputFiles.map((file) => file.text).join('\n') }
  } catch (error) {
    const { errors = [] } = error as { errors?: { text: string }[] }
    return { errors: errors.map((e) => e.text), code: '' }
  }
}

/** The names an entry exports, values and types, one `name: value|type` line each, sorted. */
function exportedNames(program: ts.Program, entry: string): string {
  const checker = program.getTypeChecker()
  const file = program.getSourceFile(path.join(src, entry))
  const module = file && checker.getSymbolAtLocation(file)
  if (!module) throw new Error(`${entry}: not in the program`)
  return (
    checker
      .getExportsOfModule(module)
      .map((symbol) => {
        const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol
        return `${symbol.name}: ${target.flags & ts.SymbolFlags.Value ? 'value' : 'type'}`
      })
      .sort()
      .join('\n') + '\n'
  )
}

/** The exports of an entry (`name: value|type`) whose declaration has no doc comment. */
function undocumentedExports(program: ts.Program, entry: string): string[] {
  const checker = program.getTypeChecker()
  const file = program.getSourceFile(path.join(src, entry))
  const module = file && checker.getSymbolAtLocation(file)
  if (!module) throw new Error(`${entry}: not in the program`)
  return checker
    .getExportsOfModule(module)
    .filter((symbol) => {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol
      // A doc comment is a `/** … */` with text before its tags (a bare `@default` says nothing).
      return !(target.declarations ?? []).some((declaration) => ts.getJSDocCommentsAndTags(declaration).some(hasText))
    })
    .map((symbol) => {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol
      return `${symbol.name}: ${target.flags & ts.SymbolFlags.Value ? 'value' : 'type'}`
    })
    .sort()
}

function hasText(doc: ts.JSDoc | ts.JSDocTag): boolean {
  const comment = ts.isJSDoc(doc) ? doc.comment : undefined
  return typeof comment === 'string' ? comment.trim() !== '' : (comment?.length ?? 0) > 0
}

// An entry with documented and undocumented exports, for the test that the doc check can fail.
const PROBE = [
  '/** Documented. */',
  'export const documented = 1',
  'export const bare = 2',
  '// A line comment is not a doc comment.',
  'export type Bare = string',
  '/** @default 3 */',
  'export const reexported = 3',
].join('\n')

/** Every `import … from '@shuttersense/inventory-core/internal'` under `roots`, with the names imported. */
function internalImports(repo: string, roots: string[]): { file: string; names: string[] }[] {
  const found: { file: string; names: string[] }[] = []
  for (const root of roots) {
    for (const relative of readdirSync(path.join(repo, root), { recursive: true, encoding: 'utf8' })) {
      if (!/\.(ts|mts|mjs)$/.test(relative) || relative.includes('node_modules') || relative.includes('dist')) continue
      const file = path.join(root, relative)
      const text = readFileSync(path.join(repo, file), 'utf8')
      for (const match of text.matchAll(/(?:import|export)(?:\s+type)?\s*\{([^}]*)\}\s*from\s*'@shuttersense\/inventory-core\/internal'/g)) {
        const names = match[1]!.split(',').map((part) => part.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0]!).filter(Boolean)
        found.push({ file, names })
      }
    }
  }
  return found
}

describe('the /pure entry', () => {
  it('bundles for a runtime without Node.js built-ins (platform neutral, nothing external)', async () => {
    const { errors, code } = await bundleWithoutNode('pure.ts')
    expect(errors).toEqual([])
    expect(code).not.toMatch(/from ["']node:/)
    expect(code).toContain('suggestCollectionName')
  })

  it('is what sets it apart: the root entry does not bundle without Node.js', async () => {
    const { errors } = await bundleWithoutNode('index.ts')
    expect(errors.some((text) => /node:(crypto|zlib|stream|buffer)/.test(text))).toBe(true)
  })
})

describe('public API surface', () => {
  // `/internal` is left out on purpose: it is for this repository's packages, under no semver.
  const entries = ['index.ts', 'pure.ts', 'node.ts', 'testing.ts']
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    customConditions: ['@shuttersense/source'],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
  }
  const program = ts.createProgram([...entries, 'internal.ts'].map((entry) => path.join(src, entry)), options)
  const names = (entry: string) => exportedNames(program, entry).trim().split('\n')

  // A change here is a change of what embedders can import: update the files with `npx vitest run -u`
  // only on purpose, and say so in the commit.
  for (const entry of entries) {
    it(`${entry} exports exactly the names in test/api/${entry.replace('.ts', '.api.txt')}`, async () => {
      await expect(exportedNames(program, entry)).toMatchFileSnapshot(`./api/${entry.replace('.ts', '.api.txt')}`)
    })
  }

  it('/pure exports nothing the root entry lacks', () => {
    const root = new Set(names('index.ts'))
    expect(names('pure.ts').filter((name) => !root.has(name))).toEqual([])
  })

  it('/internal holds every public name too, so sibling packages need one import path at most', () => {
    const internal = new Set(names('internal.ts'))
    expect([...names('index.ts'), ...names('node.ts')].filter((name) => !internal.has(name))).toEqual([])
  })

  for (const entry of entries) {
    it(`every export of ${entry} has a doc comment`, () => {
      expect(undocumentedExports(program, entry)).toEqual([])
    })
  }

  it('finds an export without a doc comment (the check above can fail)', () => {
    const file = path.join(src, 'undocumented-probe.ts')
    const host = ts.createCompilerHost(options)
    const readFile = host.readFile.bind(host)
    host.readFile = (name) => (path.resolve(name) === file ? PROBE : readFile(name))
    host.fileExists = ((exists) => (name: string) => path.resolve(name) === file || exists(name))(host.fileExists.bind(host))
    const probe = ts.createProgram([file], options, host)
    expect(undocumentedExports(probe, 'undocumented-probe.ts')).toEqual(['Bare: type', 'bare: value', 'reexported: value'])
  })
})

describe('sibling packages', () => {
  const repo = path.resolve(src, '../../..')
  const roots = ['packages/s3-source/src', 'packages/storage-adapters/src', 'packages/cli/src', 'examples/express-server/src', 'benchmarks']
  const program = ts.createProgram(['index.ts', 'node.ts', 'testing.ts'].map((entry) => path.join(src, entry)), {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    customConditions: ['@shuttersense/source'],
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
  })
  const publicNames = new Set(
    ['index.ts', 'node.ts', 'testing.ts'].flatMap((entry) => exportedNames(program, entry).trim().split('\n').map((line) => line.split(':')[0])),
  )

  it('import from /internal only what no public entry exports (the public API wherever it has the name)', () => {
    const misplaced: string[] = []
    for (const { file, names } of internalImports(repo, roots)) {
      for (const name of names) if (publicNames.has(name)) misplaced.push(`${file}: ${name}`)
    }
    expect(misplaced).toEqual([])
  })

  it('the reference server uses only the public API, and the CLI too except its report generator', () => {
    const users = internalImports(repo, ['examples/express-server/src', 'packages/cli/src']).map(({ file }) => file)
    const generator = (file: string) => file.startsWith('packages/cli/src/generate/') || file === 'packages/cli/src/commands/generate.ts'
    expect(users.filter((file) => !generator(file))).toEqual([])
    expect(users.some(generator)).toBe(true) // the scan sees imports at all
  })
})
