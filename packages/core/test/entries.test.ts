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
  const entries = ['index.ts', 'pure.ts', 'node.ts']
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
  const program = ts.createProgram(entries.map((entry) => path.join(src, entry)), options)

  // A change here is a change of what embedders can import: update the files with `npx vitest run -u`
  // only on purpose, and say so in the commit.
  for (const entry of entries) {
    it(`${entry} exports exactly the names in test/api/${entry.replace('.ts', '.api.txt')}`, async () => {
      await expect(exportedNames(program, entry)).toMatchFileSnapshot(`./api/${entry.replace('.ts', '.api.txt')}`)
    })
  }

  it('/pure exports nothing the root entry lacks', () => {
    const names = (entry: string) => exportedNames(program, entry).trim().split('\n')
    const root = new Set(names('index.ts'))
    expect(names('pure.ts').filter((name) => !root.has(name))).toEqual([])
  })
})
