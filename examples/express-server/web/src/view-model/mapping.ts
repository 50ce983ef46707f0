/** The rows of the Map-to-collections dialog: names checked before they are sent. */

export interface MappingRow {
  path: string
  name: string
}

const key = (name: string): string => name.trim().toLocaleLowerCase('en')

/**
 * What is wrong with each row's name, or null: empty, too long, taken by a collection of the connector,
 * or the same as another row's (names are unique per connector, case-insensitively, as the server checks).
 */
export function mappingProblems(rows: readonly MappingRow[], existingNames: Iterable<string>): (string | null)[] {
  const taken = new Set([...existingNames].map(key))
  const firstRow = new Map<string, number>()
  rows.forEach((row, i) => {
    if (!firstRow.has(key(row.name))) firstRow.set(key(row.name), i)
  })
  return rows.map((row, i) => {
    const name = row.name.trim()
    if (name === '') return 'Give the collection a name.'
    if (name.length > 200) return 'At most 200 characters.'
    if (taken.has(key(name))) return `A collection of this connector is already named "${name}".`
    const first = firstRow.get(key(name))!
    if (first !== i) return `Row ${first + 1} has the same name.`
    return null
  })
}

/**
 * The row a 409 of POST /api/collections/from-inventory is about: the folder or the name its message
 * quotes ("folder 2020/x/ is already collection …", "… already named "X""); -1 when none matches.
 */
export function rowOfConflict(message: string, rows: readonly MappingRow[]): number {
  const byPath = rows.findIndex((row) => message.includes(`folder ${row.path} `))
  if (byPath >= 0) return byPath
  return rows.findIndex((row) => message.includes(`"${row.name.trim()}"`))
}
