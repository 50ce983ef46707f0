/** A self-contained HTML page of an OpenAPI document (no scripts, no CDN: the server may have no network). */
export function renderDocsPage(document: Record<string, unknown>): string {
  const info = document.info as { title: string; version: string; description?: string }
  const paths = document.paths as Record<string, Record<string, Operation>>
  const byTag = new Map<string, { method: string; path: string; operation: Operation }[]>()
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const tag = operation.tags?.[0] ?? 'other'
      if (!byTag.has(tag)) byTag.set(tag, [])
      byTag.get(tag)!.push({ method, path, operation })
    }
  }
  const sections = [...byTag.entries()].map(
    ([tag, operations]) => `<section><h2 id="tag-${esc(tag)}">${esc(tag)}</h2>${operations.map((op) => renderOperation(op.method, op.path, op.operation)).join('')}</section>`,
  )
  const toc = [...byTag.keys()].map((tag) => `<a href="#tag-${esc(tag)}">${esc(tag)}</a>`).join(' · ')
  const schemas = (document.components as { schemas?: Record<string, unknown> } | undefined)?.schemas ?? {}
  const schemaList = Object.entries(schemas)
    .map(([name, schema]) => `<details id="schema-${esc(name)}"><summary><code>${esc(name)}</code></summary><pre>${esc(JSON.stringify(schema, null, 2))}</pre></details>`)
    .join('')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(info.title)} — API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#1d232a}
h1{margin-bottom:.2rem}h2{border-bottom:1px solid #ccd;padding-bottom:.2rem;margin-top:2rem;text-transform:capitalize}
.op{border:1px solid #dde;border-radius:6px;margin:.7rem 0;padding:.4rem .8rem}
.m{display:inline-block;min-width:4.5rem;font-weight:700;text-transform:uppercase}
.get{color:#1a6}.post{color:#26c}.put{color:#a60}.patch{color:#86c}.delete{color:#c33}
code,pre{font-family:ui-monospace,monospace;font-size:13px}pre{background:#f5f6f8;padding:.5rem;overflow:auto;max-height:24rem}
table{border-collapse:collapse}td,th{border:1px solid #dde;padding:.15rem .5rem;text-align:left;vertical-align:top}
.auth{color:#667;font-size:13px}
</style></head><body>
<h1>${esc(info.title)}</h1><p>Version ${esc(info.version)} · <a href="/api/openapi.json">openapi.json</a></p>
<p>${esc(info.description ?? '')}</p><nav>${toc} · <a href="#schemas">schemas</a></nav>
${sections.join('\n')}
<section><h2 id="schemas">schemas</h2>${schemaList}</section>
</body></html>
`
}

interface Operation {
  summary?: string
  description?: string
  tags?: string[]
  security?: Record<string, unknown>[]
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: unknown }[]
  requestBody?: { content: Record<string, { schema: unknown }> }
  responses?: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>
}

function renderOperation(method: string, path: string, op: Operation): string {
  const auth = op.security && op.security.length > 0 ? Object.keys(op.security[0]!).join(', ') : 'none'
  const params = (op.parameters ?? [])
    .map((p) => `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}${p.required ? ', required' : ''}</td><td><code>${esc(JSON.stringify(p.schema))}</code></td><td>${esc(p.description ?? '')}</td></tr>`)
    .join('')
  const body = op.requestBody
    ? Object.entries(op.requestBody.content).map(([type, c]) => `<p>Request body (<code>${esc(type)}</code>)</p>${schemaBlock(c.schema)}`).join('')
    : ''
  const responses = Object.entries(op.responses ?? {})
    .map(([status, r]) => `<tr><td>${esc(status)}</td><td>${esc(r.description)}</td><td>${r.content ? Object.values(r.content).map((c) => schemaBlock(c.schema)).join('') : ''}</td></tr>`)
    .join('')
  return `<div class="op"><details><summary><span class="m ${esc(method)}">${esc(method)}</span> <code>${esc(path)}</code> — ${esc(op.summary ?? '')} <span class="auth">(auth: ${esc(auth)})</span></summary>
${op.description ? `<p>${esc(op.description)}</p>` : ''}
${params ? `<table><tr><th>parameter</th><th>in</th><th>schema</th><th>description</th></tr>${params}</table>` : ''}
${body}<table><tr><th>status</th><th>meaning</th><th>body</th></tr>${responses}</table></details></div>`
}

function schemaBlock(schema: unknown): string {
  const ref = (schema as { $ref?: string } | null)?.$ref
  if (typeof ref === 'string') {
    const name = ref.split('/').pop()!
    return `<a href="#schema-${esc(name)}"><code>${esc(name)}</code></a>`
  }
  return `<pre>${esc(JSON.stringify(schema, null, 2))}</pre>`
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}
