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

/** An entry's exports: each name with the declaration it stands for (an alias resolved), as `name: value|type`. */
function exportsOf(program: ts.Program, entry: string): { name: string; target: ts.Symbol; line: string }[] {
  const checker = program.getTypeChecker()
  const file = program.getSourceFile(path.join(src, entry))
  const module = file && checker.getSymbolAtLocation(file)
  if (!module) throw new Error(`${entry}: not in the program`)
  return checker.getExportsOfModule(module).map((symbol) => {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol
    return { name: symbol.name, target, line: `${symbol.name}: ${target.flags & ts.SymbolFlags.Value ? 'value' : 'type'}` }
  })
}

/** The names an entry exports, values and types, one `name: value|type` line each, sorted. */
function exportedNames(program: ts.Program, entry: string): string {
  return exportsOf(program, entry).map(({ line }) => line).sort().join('\n') + '\n'
}

/** The exports of an entry (`name: value|type`) whose declaration has no doc comment. */
function undocumentedExports(program: ts.Program, entry: string): string[] {
  return (
    exportsOf(program, entry)
      // A doc comment is a `/** … */` with text before its tags (a bare `@default` says nothing).
      .filter(({ target }) => !(target.declarations ?? []).some((declaration) => ts.getJSDocCommentsAndTags(declaration).some(hasText)))
      .map(({ line }) => line)
      .sort()
  )
}

/** Members without a doc comment of the `…Options` interfaces an entry exports (what a caller passes), as `Options.member`. */
function undocumentedOptions(program: ts.Program, entry: string): string[] {
  const checker = program.getTypeChecker()
  return exportsOf(program, entry)
    .filter(({ name, target }) => name.endsWith('Options') && target.flags & ts.SymbolFlags.Interface)
    .flatMap(({ name, target }) =>
      checker
        .getPropertiesOfType(checker.getDeclaredTypeOfSymbol(target))
        .filter((member) => ts.displayPartsToString(member.getDocumentationComment(checker)).trim() === '')
        .map((member) => `${name}.${member.name}`),
    )
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
  '/** Options of a probe. */',
  'export interface ProbeOptions {',
  '  /** Documented. */',
  '  told: string',
  '  /** @default 1 */',
  '  untold?: number',
  '}',
].join('\n')

/**
 * Types of this package that the public declarations of `entries` name (in signatures, members, base
 * types; not in function bodies or private members) but that no public entry exports: a user could meet
 * them and not name them. Each as `Type (file) <- PublicName`.
 */
function unexportedReferences(program: ts.Program, entries: string[]): string[] {
  const checker = program.getTypeChecker()
  const resolve = (symbol: ts.Symbol) => (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol)
  const exported = new Set(entries.flatMap((entry) => exportsOf(program, entry).map(({ target }) => target)))
  const found = new Set<string>()
  for (const entry of entries) {
    for (const { name: publicName, target: declared } of exportsOf(program, entry)) {
      const visit = (node: ts.Node): void => {
        if (ts.isFunctionLike(node) && 'body' in node && node.body) {
          // The signature is public, the body is not.
          for (const child of [...(node.typeParameters ?? []), ...node.parameters, ...(node.type ? [node.type] : [])]) visit(child)
          return
        }
        if (ts.isVariableDeclaration(node)) {
          if (node.type) visit(node.type)
          return
        }
        if (ts.isClassElement(node) && (node.name && ts.isPrivateIdentifier(node.name) || ts.getCombinedModifierFlags(node as ts.Declaration) & ts.ModifierFlags.Private)) return
        const name = ts.isTypeReferenceNode(node) ? node.typeName : ts.isExpressionWithTypeArguments(node) ? node.expression : ts.isTypeQueryNode(node) ? node.exprName : undefined
        const referenced = name && checker.getSymbolAtLocation(name)
        if (referenced) {
          const target = resolve(referenced)
          const file = target.declarations?.[0]?.getSourceFile().fileName ?? ''
          if (file.startsWith(src) && !(target.flags & ts.SymbolFlags.TypeParameter) && !exported.has(target)) {
            found.add(`${target.name} (${path.relative(src, file)}) <- ${publicName}`)
          }
        }
        ts.forEachChild(node, visit)
      }
      for (const declaration of declared.declarations ?? []) visit(declaration)
    }
  }
  return [...found].sort()
}

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

  it('/internal, which every store loads, loads no Parquet or ORC decoder: each loads on its first data file', async () => {
    // The modules an entry loads at once: its static imports, followed through the sources.
    const result = await build({
      entryPoints: [path.join(src, 'internal.ts')],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      metafile: true,
      logLevel: 'silent',
    })
    const inputs = result.metafile.inputs
    const loaded = new Set<string>()
    const packages = new Set<string>()
    const visit = (file: string): void => {
      if (loaded.has(file)) return
      loaded.add(file)
      for (const edge of inputs[file]?.imports ?? []) {
        if (edge.kind !== 'import-statement') continue
        if (edge.external) packages.add(edge.path)
        else visit(edge.path)
      }
    }
    visit(Object.keys(inputs).find((file) => file.endsWith('src/internal.ts'))!)
    expect(packages.has('zod')).toBe(true) // the walk sees packages at all
    expect([...packages].filter((name) => /hyparquet|hysnappy|orc/.test(name))).toEqual([])
    expect([...loaded].filter((file) => /formats\/(parquet|orc)/.test(file))).toEqual([])
  })

  it('/types bundles to no code at all: it is types only', async () => {
    const { errors, code } = await bundleWithoutNode('public-types.ts')
    expect(errors).toEqual([])
    expect(code.trim()).toBe('')
  })

  it('is what sets it apart: the root entry does not bundle without Node.js', async () => {
    const { errors } = await bundleWithoutNode('index.ts')
    expect(errors.some((text) => /node:(crypto|zlib|stream|buffer)/.test(text))).toBe(true)
  })
})

describe('public API surface', () => {
  // `/internal` is left out on purpose: it is for this repository's packages, under no semver.
  const entries = ['index.ts', 'pure.ts', 'public-types.ts', 'node.ts', 'testing.ts']
  /** The API report of an entry: test/api/<the entry's subpath>.api.txt (`/types` is src/public-types.ts). */
  const report = (entry: string) => `./api/${entry.replace('public-types.ts', 'types.ts').replace('.ts', '.api.txt')}`
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
    it(`${entry} exports exactly the names in ${report(entry).slice(2)}`, async () => {
      await expect(exportedNames(program, entry)).toMatchFileSnapshot(report(entry))
    })
  }

  it('the root entry stays small: what an embedder uses (docs/embedding.md says why these 25)', () => {
    expect(names('index.ts').length).toBeLessThanOrEqual(25)
  })

  it('/pure holds values only, among them every value of the root entry but the import itself', () => {
    expect(names('pure.ts').filter((name) => !name.endsWith(': value'))).toEqual([])
    const pure = new Set(names('pure.ts'))
    expect(names('index.ts').filter((name) => name.endsWith(': value') && !pure.has(name))).toEqual(['importInventory: value'])
  })

  it('/types holds types only, among them every type of the root entry', () => {
    expect(names('public-types.ts').filter((name) => !name.endsWith(': type'))).toEqual([])
    const types = new Set(names('public-types.ts'))
    expect(names('index.ts').filter((name) => name.endsWith(': type') && !types.has(name))).toEqual([])
  })

  it('/internal holds every public name too, so sibling packages need one import path at most', () => {
    const internal = new Set(names('internal.ts'))
    expect(['index.ts', 'pure.ts', 'public-types.ts', 'node.ts'].flatMap(names).filter((name) => !internal.has(name))).toEqual([])
  })

  for (const entry of entries) {
    it(`every export of ${entry} has a doc comment, and so has every member of its …Options interfaces`, () => {
      expect(undocumentedExports(program, entry)).toEqual([])
      expect(undocumentedOptions(program, entry)).toEqual([])
    })
  }

  it('public declarations name only types that a public entry exports', () => {
    expect(unexportedReferences(program, ['index.ts', 'pure.ts', 'public-types.ts', 'node.ts', 'testing.ts'])).toEqual([
      // On purpose: embedders pass the parser `createWorkerParser` makes and never implement one, so the
      // worker protocol stays internal; `rollUp` is the built-in readers' fast path over core's folder
      // rollup (a reader of one's own implements the call form alone).
      'DataFileParseJob (pipeline/data-file-parser.ts) <- DataFileParser',
      'DataFileParseResult (pipeline/data-file-parser.ts) <- DataFileParser',
      'FolderRollupSink (pipeline/data-file-reader.ts) <- DataFileReader',
      'RolledUpBatch (pipeline/data-file-reader.ts) <- DataFileReader',
    ])
  })

  it('finds a public declaration that names an unexported type (the check above can fail)', () => {
    // `/node` alone lacks the root entry's types that its own declarations name.
    expect(unexportedReferences(program, ['node.ts'])).toContain('ScratchSpace (scratch.ts) <- FileScratch')
  })

  it('finds an export without a doc comment (the check above can fail)', () => {
    const file = path.join(src, 'undocumented-probe.ts')
    const host = ts.createCompilerHost(options)
    const readFile = host.readFile.bind(host)
    host.readFile = (name) => (path.resolve(name) === file ? PROBE : readFile(name))
    host.fileExists = ((exists) => (name: string) => path.resolve(name) === file || exists(name))(host.fileExists.bind(host))
    const probe = ts.createProgram([file], options, host)
    expect(undocumentedExports(probe, 'undocumented-probe.ts')).toEqual(['Bare: type', 'bare: value', 'reexported: value'])
    expect(undocumentedOptions(probe, 'undocumented-probe.ts')).toEqual(['ProbeOptions.untold'])
  })
})

describe('sibling packages', () => {
  const repo = path.resolve(src, '../../..')
  const roots = ['packages/s3-source/src', 'packages/storage-adapters/src', 'packages/orc/src', 'packages/cli/src', 'examples/express-server/src', 'benchmarks']
  const publicEntries = ['index.ts', 'pure.ts', 'public-types.ts', 'node.ts', 'testing.ts']
  const program = ts.createProgram(publicEntries.map((entry) => path.join(src, entry)), {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    customConditions: ['@shuttersense/source'],
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
  })
  const publicNames = new Set(
    publicEntries.flatMap((entry) => exportedNames(program, entry).trim().split('\n').map((line) => line.split(':')[0])),
  )

  it('import from /internal only what no public entry exports (the public API wherever it has the name)', () => {
    const misplaced: string[] = []
    for (const { file, names } of internalImports(repo, roots)) {
      for (const name of names) if (publicNames.has(name)) misplaced.push(`${file}: ${name}`)
    }
    expect(misplaced).toEqual([])
  })

  it("docs/embedding.md's table of what they take from /internal lists exactly what they import", () => {
    const doc = readFileSync(path.join(repo, 'docs/embedding.md'), 'utf8')
    const table = doc.slice(doc.indexOf('## What the sibling packages take from `/internal`')).split('\n\n').find((block) => block.startsWith('|')) ?? ''
    const documented: Record<string, string[]> = {}
    let current = ''
    for (const [, cell, names] of table.matchAll(/^\|\s*(.*?)\s*\|\s*(.*?)\s*\|/gm)) {
      current = /`([^`]+)`/.exec(cell!)?.[1] ?? current
      if (current) documented[current] = [...(documented[current] ?? []), ...[...names!.matchAll(/`(\w+)`/g)].map((match) => match[1]!)].sort()
    }
    const imported: Record<string, string[]> = {}
    for (const root of roots) {
      const name = (JSON.parse(readFileSync(path.join(repo, root.replace(/\/src$/, ''), 'package.json'), 'utf8')) as { name: string }).name
      const names = [...new Set(internalImports(repo, [root]).flatMap((found) => found.names))].sort()
      if (names.length > 0) imported[name] = names
    }
    expect(Object.keys(imported).length).toBeGreaterThan(0) // the scan sees imports at all
    expect(documented).toEqual(imported)
  })

  it('the reference server uses only the public API, and the CLI too except its report generator', () => {
    const users = internalImports(repo, ['examples/express-server/src', 'packages/cli/src']).map(({ file }) => file)
    const generator = (file: string) => file.startsWith('packages/cli/src/generate/') || file === 'packages/cli/src/commands/generate.ts'
    expect(users.filter((file) => !generator(file))).toEqual([])
    expect(users.some(generator)).toBe(true) // the scan sees imports at all
  })
})
