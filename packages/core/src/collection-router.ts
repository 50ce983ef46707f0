import { foldersDownTo } from './folders.js'

/** A collection as the router sees it: an index into the caller's list and a folder path. */
export interface RoutedCollection {
  folderPath: string
}

/**
 * Sends each object to every collection whose folder contains it (nested collections each get it).
 * Cost per object is O(key depth), not O(collections); the answer is cached per folder, so objects of
 * the same folder cost one map lookup. The cache is bounded: an inventory may hold millions of folders.
 */
export class CollectionRouter {
  private readonly byPath = new Map<string, number[]>()
  private readonly cache = new Map<string, readonly number[]>()
  private static readonly NONE: readonly number[] = []
  private static readonly CACHE_LIMIT = 4096
  private lastFolder: string | undefined
  private lastRoute: readonly number[] = CollectionRouter.NONE

  private readonly collectionCount: number

  constructor(collections: readonly RoutedCollection[]) {
    this.collectionCount = collections.length
    collections.forEach((collection, index) => {
      const path = normalizeFolderPath(collection.folderPath)
      const list = this.byPath.get(path)
      if (list) list.push(index)
      else this.byPath.set(path, [index])
    })
  }

  /** How many collections it routes to (indices run from 0 to size - 1). */
  get size(): number {
    return this.collectionCount
  }

  /** True when no collection is bound (routing can be skipped). */
  get isEmpty(): boolean {
    return this.byPath.size === 0
  }

  /** Indices of the collections that contain an object directly in `folder` (`''` = bucket root). */
  routeFolder(folder: string): readonly number[] {
    if (folder === this.lastFolder) return this.lastRoute
    this.lastFolder = folder
    this.lastRoute = this.cache.get(folder) ?? this.computeRoute(folder)
    return this.lastRoute
  }

  private computeRoute(folder: string): readonly number[] {
    const indices: number[] = []
    for (const ancestor of foldersDownTo(folder)) {
      const hit = this.byPath.get(ancestor)
      if (hit) indices.push(...hit)
    }
    const result = indices.length === 0 ? CollectionRouter.NONE : indices
    // Keys arrive grouped by folder, so recent folders are what repeats; starting over is enough.
    if (this.cache.size >= CollectionRouter.CACHE_LIMIT) this.cache.clear()
    this.cache.set(folder, result)
    return result
  }
}

/** `2021/Wedding` and `/2021/Wedding/` both become `2021/Wedding/`. */
export function normalizeFolderPath(path: string): string {
  const trimmed = path.replace(/^\/+/, '')
  return trimmed.endsWith('/') ? trimmed : `${trimmed}/`
}
