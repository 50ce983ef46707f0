/**
 * useApiResource and <LoadState>, rendered by React into a DOM, against the real reference server on
 * 127.0.0.1: loading, the data, the empty state, the API's error in words, reload, a late answer dropped.
 */
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { Window } from 'happy-dom'
import { act, createElement, type ReactNode } from 'react'
import type { Root } from 'react-dom/client'
import request from 'supertest'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createTestServer, type TestServer } from '../../test/harness.js'
import { ApiError, createApiClient, type ApiClient } from '../src/api/client.js'
import { ApiContext } from '../src/api/context.js'
import { LoadState, type LoadStateProps } from '../src/components/status.js'
import { useApiResource, type ApiResource } from '../src/use-api-resource.js'

declare global {
  var IS_REACT_ACT_ENVIRONMENT: boolean | undefined
}
globalThis.IS_REACT_ACT_ENVIRONMENT = true
// A DOM for React only: the test stays in Node, so the server in this process keeps Node's URL and fetch.
const window = new Window({ url: 'http://127.0.0.1/' })
Object.assign(globalThis, { window, document: window.document, navigator: window.navigator, HTMLElement: window.HTMLElement })
const { createRoot } = await import('react-dom/client')

let server: TestServer
let listening: Server
let api: ApiClient
beforeAll(async () => {
  server = await createTestServer()
  listening = server.app.listen(0, '127.0.0.1')
  await new Promise((resolve) => listening.once('listening', resolve))
  const { port } = listening.address() as AddressInfo
  api = createApiClient({ token: server.user.replace(/^Bearer /, ''), baseUrl: `http://127.0.0.1:${port}` })
})
afterAll(async () => {
  await new Promise((resolve) => listening?.close(resolve))
  await server?.close()
})

let container: HTMLElement
let root: Root
beforeEach(() => {
  container = document.createElement('div')
  document.body.append(container)
  root = createRoot(container)
})
afterEach(() => {
  act(() => root.unmount())
  container.remove()
})

/** Lets React and the network run until `done()` holds. */
async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the page says: ${container.textContent}`)
    await act(() => new Promise((resolve) => setTimeout(resolve, 10)))
  }
}

interface ProbeProps<T> {
  load: (api: ApiClient) => Promise<T>
  deps: readonly unknown[]
  view: Omit<LoadStateProps<T>, 'resource'>
  /** Receives the hook's newest state at each render. */
  seen: (resource: ApiResource<T>) => void
  reloadOn?: unknown
}

function Probe<T>({ load, deps, view, seen, reloadOn }: ProbeProps<T>): ReactNode {
  const resource = useApiResource(load, deps, { reloadOn })
  seen(resource)
  return createElement(LoadState<T>, { ...view, resource })
}

function render<T>(props: ProbeProps<T>): void {
  act(() => root.render(createElement(ApiContext.Provider, { value: api }, createElement(Probe<T>, props))))
}

const text = (): string => container.textContent ?? ''
const roleText = (role: string): string[] => [...container.querySelectorAll(`[role="${role}"]`)].map((node) => node.textContent ?? '')

const connectorList = (seen: ProbeProps<{ connectors: { name: string }[] }>['seen']): ProbeProps<{ connectors: { name: string }[] }> => ({
  load: (client) => client.listConnectors(),
  deps: [],
  view: {
    what: 'the connectors',
    empty: { when: (data) => data.connectors.length === 0, text: 'No connectors yet.' },
    children: (data) => createElement('ul', null, ...data.connectors.map((c) => createElement('li', { key: c.name }, c.name))),
  },
  seen,
})

describe('useApiResource with <LoadState>', () => {
  it('says "Loading …" until the first answer, then the empty state; reload shows new data without going back to Loading', async () => {
    let latest: ApiResource<{ connectors: { name: string }[] }> | undefined
    const shown: string[] = []
    render(
      connectorList((resource) => {
        latest = resource
        shown.push(text())
      }),
    )
    expect(roleText('status')).toEqual(['Loading the connectors…'])
    expect(latest?.loading).toBe(true)
    await until(() => latest?.loading === false, 'the first answer')
    expect(text()).toBe('No connectors yet.')

    await api.createConnector({ name: 'Archive one' })
    shown.length = 0
    act(() => latest!.reload())
    expect(latest?.loading).toBe(true)
    await until(() => text() === 'Archive one', 'the reloaded list')
    // While the reload ran, the old answer stayed on the page.
    expect(shown.filter((page) => page.includes('Loading'))).toEqual([])
    expect(latest?.error).toBeNull()
  })

  it("says the API's own message and code when a load fails, above the older data, and a 404 in the caller's words when given", async () => {
    const created = await api.createConnector({ name: 'Soon deleted' })
    let latest: ApiResource<{ name: string }> | undefined
    const props = (notFound?: string): ProbeProps<{ name: string }> => ({
      load: (client) => client.getConnector(created.guid),
      deps: [created.guid],
      view: { what: 'the connector', notFound, children: (data) => createElement('h1', null, data.name) },
      seen: (resource) => (latest = resource),
    })
    render(props())
    await until(() => text() === 'Soon deleted', 'the connector')

    // Deleted elsewhere (another tab): the reload's 404 is said in the API's words, the old data still below.
    await request(server.app).delete(`/api/connectors/${created.guid}`).set('Authorization', server.user).expect(204)
    const { body } = await request(server.app).get(`/api/connectors/${created.guid}`).set('Authorization', server.user).expect(404)
    expect(body.error.message).toMatch(/\S/)
    act(() => latest!.reload())
    await until(() => latest?.loading === false, 'the failed reload')
    expect(roleText('alert')).toEqual([`The connector could not be loaded: ${body.error.message} (${body.error.code}, HTTP 404)`])
    expect(container.querySelector('h1')?.textContent).toBe('Soon deleted')
    expect(latest?.error).toBeInstanceOf(ApiError)

    // The caller's words for a 404, when it has them.
    act(() => root.unmount())
    root = createRoot(container)
    render(props('There is no such connector.'))
    await until(() => latest?.loading === false, 'the 404')
    expect(roleText('alert')).toEqual(['There is no such connector.'])
    expect(roleText('status')).toEqual([])
    expect(container.querySelector('h1')).toBeNull()
  })

  it('loads again when its deps change, and drops an answer that arrives after a newer call', async () => {
    const answers = new Map<string, (value: { name: string }) => void>()
    const calls: string[] = []
    const props = (guid: string): ProbeProps<{ name: string }> => ({
      load: () => {
        calls.push(guid)
        return new Promise((resolve) => answers.set(guid, resolve))
      },
      deps: [guid],
      view: { what: 'the connector', children: (data) => createElement('h1', null, data.name) },
      seen: () => undefined,
    })
    render(props('con_a'))
    render(props('con_b'))
    expect(calls).toEqual(['con_a', 'con_b'])
    await act(async () => answers.get('con_b')!({ name: 'B' }))
    expect(text()).toBe('B')
    // The answer for the first guid comes late: it must not replace B.
    await act(async () => answers.get('con_a')!({ name: 'A' }))
    expect(text()).toBe('B')
  })

  it("shows no old answer once its deps change (another filter): Loading until the new one; a reload or reloadOn keeps the old answer", async () => {
    const answers = new Map<string, (value: { name: string }) => void>()
    const shown: { page: string; data: { name: string } | undefined }[] = []
    const renderWith = (prefix: string, reloadOn = 0) => {
      shown.length = 0
      render<{ name: string }>({
        load: () => new Promise((resolve) => answers.set(prefix, resolve)),
        deps: [prefix],
        reloadOn,
        view: { what: 'the files', children: (data) => createElement('h1', null, data.name) },
        seen: (resource) => shown.push({ page: text(), data: resource.data }),
      })
    }
    const answer = async (prefix: string, name: string) => {
      const resolve = answers.get(prefix)!
      answers.delete(prefix)
      await act(async () => resolve({ name }))
    }
    renderWith('a/')
    await answer('a/', 'Files under a/')
    expect(text()).toBe('Files under a/')

    // Another prefix: the files of a/ are gone at once (not even one render shows them), Loading says so.
    renderWith('b/')
    expect(shown.map((seen) => seen.data)).not.toContainEqual({ name: 'Files under a/' })
    expect(roleText('status')).toEqual(['Loading the files…'])
    expect(container.querySelector('h1')).toBeNull()
    await answer('b/', 'Files under b/')
    expect(text()).toBe('Files under b/')

    // The same prefix loaded again (reloadOn bumped after a write): the answer stays until the new one.
    renderWith('b/', 1)
    expect(answers.has('b/')).toBe(true)
    expect(text()).toBe('Files under b/')
    await answer('b/', 'Files under b/, refreshed')
    expect(text()).toBe('Files under b/, refreshed')
    expect(shown.filter((seen) => seen.page.includes('Loading'))).toEqual([])
  })

  it('says a network failure in words too', async () => {
    const offline = createApiClient({ token: 't', baseUrl: 'http://127.0.0.1:1' })
    let latest: ApiResource<unknown> | undefined
    act(() =>
      root.render(
        createElement(
          ApiContext.Provider,
          { value: offline },
          createElement(Probe<unknown>, {
            load: (client) => client.listConnectors(),
            deps: [],
            view: { what: 'the connectors', children: () => 'loaded' },
            seen: (r) => (latest = r),
          }),
        ),
      ),
    )
    await until(() => latest?.loading === false, 'the failure')
    expect(roleText('alert')[0]).toMatch(/^The connectors could not be loaded: The server did not answer \(/)
  })
})
