import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { main } from '../src/main.js'

/** Runs the CLI in-process and captures what it prints. */
export async function runCli(argv: string[], signal?: AbortSignal): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await main(
    argv,
    { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } },
    signal,
  )
  return { code, stdout, stderr }
}

/** Runs the CLI and parses its `--json` output; fails the test on a non-zero exit. */
export async function runCliJson<T>(argv: string[]): Promise<T> {
  const result = await runCli([...argv, '--json'])
  if (result.code !== 0) throw new Error(`exit ${result.code}: ${result.stderr}`)
  return JSON.parse(result.stdout) as T
}

/** A temporary directory removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'cli-test-'))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

export const WHERE = ['--source-bucket', 'photos', '--config', 'daily']
