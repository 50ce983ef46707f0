/**
 * Suggests a collection name for a folder path:
 * `2020/Milledgeville, GA/` -> `2020 - Milledgeville GA`,
 * `2021/Wedding/Smith-Jones/` -> `2021 - Wedding - Smith Jones`,
 * `archive/2019-06-15_concert/` -> `Archive - 2019 06 15 Concert`.
 * Path parts are joined by ` - `; `_` and `-` become spaces; commas go; spaces collapse; each word is
 * title-cased unless it is all capitals (GA, NYC) or starts with a digit. Works on any script.
 */
export function suggestCollectionName(folderPath: string): string {
  const parts = folderPath
    .split('/')
    .map((part) => nameOfPart(part))
    .filter((part) => part.length > 0)
  return parts.length > 0 ? parts.join(' - ') : 'Untitled'
}

function nameOfPart(part: string): string {
  return part
    .normalize('NFC')
    .replace(/[_-]+/g, ' ')
    .replace(/,/g, '')
    .split(/\s+/u)
    .filter((word) => word.length > 0)
    .map(titleCaseWord)
    .join(' ')
}

function titleCaseWord(word: string): string {
  const letters = word.replace(/[^\p{L}]/gu, '')
  // Acronyms (GA, NYC) and words without letters (2019, 06) are kept as written.
  const isAcronym = letters.length > 1 && letters === letters.toUpperCase() && letters !== letters.toLowerCase()
  if (letters.length === 0 || isAcronym) return word
  // Capitalise each run of letters that starts the word or follows a symbol (`Paris+Rome`), but not one
  // that follows a digit (`35mm`, `1st`).
  return word.toLowerCase().replace(/(^|[^\p{L}\p{N}\p{M}])(\p{L})/gu, (_match, before: string, letter: string) => before + letter.toUpperCase())
}

/**
 * Suggests names for a batch of folders, unique within the batch and against `taken`
 * (names already in use): a clash gets ` (2)`, ` (3)`, … in folder order.
 */
export function suggestUniqueCollectionNames(folderPaths: readonly string[], taken: Iterable<string> = []): string[] {
  const used = new Set(Array.from(taken, (name) => name.toLocaleLowerCase('en')))
  return folderPaths.map((path) => {
    const base = suggestCollectionName(path)
    let name = base
    for (let n = 2; used.has(name.toLocaleLowerCase('en')); n++) name = `${base} (${n})`
    used.add(name.toLocaleLowerCase('en'))
    return name
  })
}
