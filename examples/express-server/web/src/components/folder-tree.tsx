/**
 * The folder tree: levels loaded lazily (`?parent=`), a virtualized list (only the rows in view are in
 * the DOM, so a 10,000-folder level renders at once), sort, search by path, direct or subtree figures,
 * single and multi-select (click, ctrl/cmd-click, shift-range, checkboxes) and the keyboard model of
 * an ARIA tree (focus stays on the tree; the active row is its aria-activedescendant).
 */
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react'
import { useApi } from '../api/context.js'
import type { Folder } from '../api/types.js'
import { Link, navigate } from '../router.js'
import { formatBytes, formatCount, formatDate, plural } from '../view-model/format.js'
import {
  flattenTree,
  folderName,
  moveFocus,
  objectCountOf,
  parentOf,
  rangeBetween,
  sizeOf,
  sortPaths,
  type Figures,
  type Level,
  type SortKey,
  type SortOrder,
  type TreeRow,
} from '../view-model/folder-tree.js'
import { errorText } from './status.js'

const ROW_HEIGHT = 36
const OVERSCAN = 8
const FIRST_PAGE = 1000
const NEXT_PAGES = 10_000
const SEARCH_ROOT = '\u0000search/'

const SORT_TEXT: Record<SortKey, string> = { name: 'Name', count: 'Objects', size: 'Size', date: 'Newest' }

export interface FolderTreeProps {
  connectorGuid: string
  /** Collection names by guid, for the mark on mapped folders. */
  collectionNames: ReadonlyMap<string, string>
  /** Selected folders, in tree order. */
  onSelectionChange: (folders: Folder[]) => void
  /** Folders changed elsewhere (e.g. just mapped): merged into the loaded ones. */
  updatedFolders?: readonly Folder[] | undefined
}

/** The loaded folders and levels, mutated in place; `version` tells React they changed. */
interface TreeData {
  folders: Map<string, Folder>
  levels: Map<string, Level>
}

export function FolderTree({ connectorGuid, collectionNames, onSelectionChange, updatedFolders }: FolderTreeProps) {
  const api = useApi()
  const data = useRef<TreeData>({ folders: new Map(), levels: new Map() })
  const [version, setVersion] = useState(0)
  const bump = useCallback(() => setVersion((v) => v + 1), [])
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set())
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set())
  const [anchor, setAnchor] = useState<string | null>(null)
  const [focus, setFocus] = useState<string | null>(null)
  const [order, setOrder] = useState<SortOrder>({ key: 'name', descending: false })
  const [figures, setFigures] = useState<Figures>('subtree')
  const [query, setQuery] = useState('')
  const [search, setSearch] = useState('')
  const [scrollTop, setScrollTop] = useState(0)
  const [viewHeight, setViewHeight] = useState(480)
  const listRef = useRef<HTMLDivElement>(null)
  const loadingLevels = useRef(new Set<string>())

  /** Loads a level page by page (the first page small, so it shows at once); the search is a level of its own. */
  const loadLevel = useCallback(
    async (parent: string, q?: string) => {
      const tree = data.current
      if (tree.levels.has(parent) && tree.levels.get(parent)!.error === null) return
      if (loadingLevels.current.has(parent)) return
      loadingLevels.current.add(parent)
      const level: Level = { paths: [], complete: false, error: null }
      tree.levels.set(parent, level)
      bump()
      let cursor: string | undefined
      try {
        for (let page = 0; ; page++) {
          const answer = await api.listFolders(connectorGuid, q !== undefined ? { q, cursor, limit: FIRST_PAGE } : { parent, cursor, limit: page === 0 ? FIRST_PAGE : NEXT_PAGES })
          if (tree.levels.get(parent) !== level) return
          for (const folder of answer.folders) {
            tree.folders.set(folder.path, folder)
            level.paths.push(folder.path)
          }
          // A search shows its first page of matches only (it says so); a level loads whole.
          if (answer.nextCursor === null || q !== undefined) {
            level.complete = true
            bump()
            return
          }
          cursor = answer.nextCursor
          bump()
        }
      } catch (error) {
        level.error = errorText(error)
        bump()
      } finally {
        loadingLevels.current.delete(parent)
      }
    },
    [api, connectorGuid, bump],
  )

  useEffect(() => {
    data.current = { folders: new Map(), levels: new Map() }
    setExpanded(new Set())
    setSelected(new Set())
    void loadLevel('')
  }, [connectorGuid, loadLevel])

  useEffect(() => {
    const timer = setTimeout(() => setSearch(query.trim()), 300)
    return () => clearTimeout(timer)
  }, [query])
  useEffect(() => {
    data.current.levels.delete(SEARCH_ROOT)
    if (search !== '') void loadLevel(SEARCH_ROOT, search)
    setScrollTop(0)
    listRef.current?.scrollTo({ top: 0 })
    bump()
  }, [search, loadLevel, bump])

  useEffect(() => {
    if (!updatedFolders?.length) return
    for (const folder of updatedFolders) if (data.current.folders.has(folder.path)) data.current.folders.set(folder.path, folder)
    bump()
  }, [updatedFolders, bump])

  // The list's height follows its box (CSS decides it: 60vh, or less on a phone).
  useEffect(() => {
    const element = listRef.current
    if (!element) return
    const observer = new ResizeObserver(() => setViewHeight(element.clientHeight || 480))
    observer.observe(element)
    return () => observer.disconnect()
  }, [])

  const searching = search !== ''
  const root = searching ? SEARCH_ROOT : ''
  // Sorting is per level and only when the order, the figures or the loaded folders change, not on every expand.
  const sorted = useMemo(() => {
    const byLevel = new Map<string, string[]>()
    for (const [parent, level] of data.current.levels) byLevel.set(parent, sortPaths(level.paths, data.current.folders, order, figures))
    return byLevel
  }, [version, order, figures]) // `version` stands for the mutable data
  const rows = useMemo(() => {
    // Search results are a flat list: their levels are not expanded.
    return flattenTree(sorted, data.current.levels, searching ? new Set() : expanded, root)
  }, [sorted, expanded, searching, root])

  const folderPaths = useMemo(() => rows.flatMap((row) => (row.kind === 'folder' ? [row.path] : [])), [rows])
  useEffect(() => {
    const inOrder = folderPaths.filter((path) => selected.has(path))
    // Selected folders hidden by a collapse stay selected; they follow the shown ones.
    for (const path of selected) if (!inOrder.includes(path)) inOrder.push(path)
    onSelectionChange(inOrder.map((path) => data.current.folders.get(path)).filter((f): f is Folder => f !== undefined))
  }, [selected, folderPaths, onSelectionChange])

  const focusIndex = focus === null ? -1 : rows.findIndex((row) => row.kind === 'folder' && row.path === focus)
  const activeIndex = focusIndex >= 0 ? focusIndex : rows.findIndex((row) => row.kind === 'folder')
  const activePath = activeIndex >= 0 ? (rows[activeIndex] as Extract<TreeRow, { kind: 'folder' }>).path : null

  const scrollToIndex = (index: number) => {
    const element = listRef.current
    if (!element) return
    const top = index * ROW_HEIGHT
    if (top < element.scrollTop) element.scrollTop = top
    else if (top + ROW_HEIGHT > element.scrollTop + element.clientHeight) element.scrollTop = top + ROW_HEIGHT - element.clientHeight
  }

  const toggleExpanded = (path: string, open?: boolean) => {
    const folder = data.current.folders.get(path)
    if (!folder?.hasChildren) return
    setExpanded((current) => {
      const next = new Set(current)
      const willOpen = open ?? !next.has(path)
      if (willOpen) next.add(path)
      else next.delete(path)
      return next
    })
    if (open ?? !expanded.has(path)) void loadLevel(path)
  }

  const selectOnly = (path: string) => {
    setSelected(new Set([path]))
    setAnchor(path)
  }
  const toggleSelected = (path: string) => {
    setSelected((current) => {
      const next = new Set(current)
      if (next.has(path)) next.delete(path)
      else next.add(path)
      return next
    })
    setAnchor(path)
  }
  const selectRange = (to: string, add: boolean) => {
    const range = rangeBetween(rows, anchor ?? to, to)
    setSelected((current) => new Set(add ? [...current, ...range] : range))
  }

  const onRowClick = (event: MouseEvent, path: string) => {
    setFocus(path)
    listRef.current?.focus({ preventScroll: true })
    if (event.shiftKey) selectRange(path, event.ctrlKey || event.metaKey)
    else if (event.ctrlKey || event.metaKey) toggleSelected(path)
    else selectOnly(path)
  }
  const onCheckClick = (event: MouseEvent, path: string) => {
    event.stopPropagation()
    setFocus(path)
    listRef.current?.focus({ preventScroll: true })
    if (event.shiftKey) selectRange(path, true)
    else toggleSelected(path)
  }

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (activeIndex < 0 || activePath === null) return
    const folder = data.current.folders.get(activePath)
    const pageSize = Math.max(1, Math.floor(viewHeight / ROW_HEIGHT) - 1)
    const moved = moveFocus(rows, activeIndex, event.key, pageSize)
    let target: number | null = moved
    if (moved === null) {
      switch (event.key) {
        case 'ArrowRight':
          if (folder?.hasChildren && !expanded.has(activePath) && !searching) toggleExpanded(activePath, true)
          else if (expanded.has(activePath) && rows[activeIndex + 1]?.kind === 'folder') target = activeIndex + 1
          break
        case 'ArrowLeft':
          if (expanded.has(activePath) && !searching) toggleExpanded(activePath, false)
          else {
            const parent = parentOf(activePath)
            const at = rows.findIndex((row) => row.kind === 'folder' && row.path === parent)
            if (at >= 0) target = at
          }
          break
        case 'Enter':
          if (folder?.collectionGuid && (event.ctrlKey || event.metaKey)) navigate(`/collections/${folder.collectionGuid}`)
          else if (!searching) toggleExpanded(activePath)
          break
        case ' ':
          if (event.shiftKey) selectRange(activePath, true)
          else toggleSelected(activePath)
          break
        case 'Escape':
          setSelected(new Set())
          break
        case 'a':
        case 'A':
          if (!(event.ctrlKey || event.metaKey)) return
          setSelected(new Set(folderPaths))
          break
        default:
          return
      }
    }
    event.preventDefault()
    if (target !== null && target !== activeIndex) {
      const path = (rows[target] as Extract<TreeRow, { kind: 'folder' }>).path
      setFocus(path)
      if (event.shiftKey && moved !== null) selectRange(path, false)
      scrollToIndex(target)
    } else if (focus === null) setFocus(activePath)
  }

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN)
  const last = Math.min(rows.length, Math.ceil((scrollTop + viewHeight) / ROW_HEIGHT) + OVERSCAN)
  const rootLevel = data.current.levels.get(root)
  const sortButton = (key: SortKey) => {
    const active = order.key === key
    return (
      <button
        type="button"
        className={`sort${active ? ' active' : ''}`}
        aria-pressed={active}
        onClick={() => setOrder((o) => (o.key === key ? { key, descending: !o.descending } : { key, descending: key !== 'name' }))}
      >
        {SORT_TEXT[key]}
        {active ? <span aria-hidden="true">{order.descending ? ' ▼' : ' ▲'}</span> : null}
        {active ? <span className="sr-only">{order.descending ? ', descending' : ', ascending'}</span> : null}
      </button>
    )
  }

  return (
    <div className="folder-tree">
      <div className="tree-tools">
        <div className="field inline-field grow">
          <label htmlFor="folder-search">Search by path</label>
          <input id="folder-search" type="search" value={query} placeholder="e.g. wedding" onChange={(e) => setQuery(e.target.value)} />
        </div>
        <fieldset className="figures-toggle">
          <legend>Figures</legend>
          <label>
            <input type="radio" name="figures" checked={figures === 'subtree'} onChange={() => setFigures('subtree')} /> Subtree
          </label>
          <label>
            <input type="radio" name="figures" checked={figures === 'direct'} onChange={() => setFigures('direct')} /> Direct
          </label>
        </fieldset>
      </div>
      <div className="tree-head" role="group" aria-label="Sort folders by">
        <span className="tree-head-check" aria-hidden="true" />
        {sortButton('name')}
        {sortButton('count')}
        <span className="hide-narrow-flex">{sortButton('size')}</span>
        <span className="hide-narrow-flex">{sortButton('date')}</span>
      </div>
      <p className="sr-only" id="tree-help">
        Arrow keys move, right and left open and close a folder, space selects, shift with arrows or space selects a range, control A selects all, escape clears.
      </p>
      {searching && rootLevel?.complete ? (
        <p className="muted" role="status">
          {rootLevel.paths.length === 0
            ? `No folder path contains "${search}".`
            : `${plural(rootLevel.paths.length, 'folder')} whose path contains "${search}"${rootLevel.paths.length >= FIRST_PAGE ? ` (the first ${formatCount(FIRST_PAGE)})` : ''}.`}
        </p>
      ) : null}
      {!searching && rootLevel?.complete && rootLevel.paths.length === 0 ? <p className="empty">No folders yet: import the inventory first.</p> : null}
      <div
        ref={listRef}
        className="tree-list"
        role="tree"
        aria-label={searching ? `Folders whose path contains ${search}` : 'Folders'}
        aria-multiselectable="true"
        aria-describedby="tree-help"
        // Only a row in the DOM may be referenced: the active one can be scrolled out of the virtual window.
        aria-activedescendant={activePath !== null && activeIndex >= first && activeIndex < last ? (data.current.folders.get(activePath)?.guid ?? undefined) : undefined}
        tabIndex={0}
        onKeyDown={onKeyDown}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      >
        <div style={{ height: rows.length * ROW_HEIGHT, position: 'relative' }}>
          {rows.slice(first, last).map((row, i) => {
            const index = first + i
            const style = { top: index * ROW_HEIGHT, height: ROW_HEIGHT }
            if (row.kind !== 'folder') {
              return (
                <div key={`${row.kind}:${row.parent}`} className={`tree-row note ${row.kind}`} style={{ ...style, paddingLeft: `${row.level * 1.1 + 1.6}rem` }} role="none">
                  {row.kind === 'loading' ? 'Loading folders…' : `Could not load these folders: ${row.message}`}
                </div>
              )
            }
            const folder = data.current.folders.get(row.path)!
            const isSelected = selected.has(row.path)
            const mappedTo = folder.collectionGuid ? (collectionNames.get(folder.collectionGuid) ?? 'a collection') : null
            const count = objectCountOf(folder, figures)
            const size = sizeOf(folder, figures)
            return (
              <div
                key={row.path}
                id={folder.guid}
                role="treeitem"
                aria-level={searching ? 1 : row.level}
                aria-setsize={row.setSize}
                aria-posinset={row.posInSet}
                aria-expanded={folder.hasChildren && !searching ? row.expanded : undefined}
                aria-selected={isSelected}
                className={`tree-row${isSelected ? ' selected' : ''}${row.path === activePath ? ' active' : ''}`}
                style={style}
                onClick={(e) => onRowClick(e, row.path)}
              >
                <span className={`check${isSelected ? ' on' : ''}`} aria-hidden="true" onClick={(e) => onCheckClick(e, row.path)} />
                <span className="name" style={{ paddingLeft: `${(searching ? 0 : row.level - 1) * 1.1}rem` }} title={folder.path}>
                  <span
                    className={`twisty${folder.hasChildren && !searching ? '' : ' leaf'}`}
                    aria-hidden="true"
                    onClick={(e) => {
                      e.stopPropagation()
                      toggleExpanded(row.path)
                    }}
                  >
                    {folder.hasChildren && !searching ? (row.expanded ? '▾' : '▸') : ''}
                  </span>
                  <span className="label">{searching ? folder.path : folderName(folder.path)}</span>
                  {mappedTo ? (
                    <Link to={`/collections/${folder.collectionGuid}`} className="mapped" tabIndex={-1} onClick={(e) => e.stopPropagation()}>
                      <span className="sr-only">mapped to </span>
                      {mappedTo}
                    </Link>
                  ) : null}
                </span>
                <span className="num">
                  {formatCount(count)}
                  <span className="sr-only"> {count === 1 ? 'object' : 'objects'},</span>
                </span>
                <span className="num hide-narrow">{formatBytes(size)}</span>
                <span className="date hide-narrow">{folder.lastModified ? formatDate(folder.lastModified).replace(' UTC', '') : '—'}</span>
              </div>
            )
          })}
        </div>
      </div>
      {!searching && rootLevel ? (
        <p className="muted small">
          {plural(rootLevel.paths.length, 'top-level folder')}
          {rootLevel.complete ? '' : ' so far'}; {plural(expanded.size, 'folder')} open.
        </p>
      ) : null}
    </div>
  )
}
