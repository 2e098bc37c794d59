/**
 * "Did you mean" for misspelt keys and values. Most slips in definition
 * files are a change of case or separator (`inApp` for `in_app`, `stepID`
 * for `stepId`); the rest are a letter or two, caught by edit distance.
 */

export function closest(
  word: string,
  candidates: readonly string[]
): string | undefined {
  const flat = flatten(word)
  const same = candidates.find((candidate) => flatten(candidate) === flat)
  if (same !== undefined) return same
  // A short form of one name only (`Prod` for `Production`).
  const longer = candidates.filter(
    (candidate) => flat.length >= 3 && flatten(candidate).startsWith(flat)
  )
  if (longer.length === 1) return longer[0]

  const lower = word.toLowerCase()
  const budget = Math.max(1, Math.floor(word.length / 3))
  let best: string | undefined
  let bestDistance = budget + 1
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase())
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}

function flatten(word: string): string {
  return word.toLowerCase().replace(/[-_\s.]/g, '')
}

/**
 * Edits between two words, a swap of neighbouring letters counting as one
 * (`nmae` for `name`), since that is the commonest slip of typing.
 */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) =>
      i === 0 ? j : j === 0 ? i : 0
    )
  )
  const at = (i: number, j: number): number => rows[i]?.[j] ?? 0
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let distance = Math.min(
        at(i - 1, j) + 1,
        at(i, j - 1) + 1,
        at(i - 1, j - 1) + cost
      )
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, at(i - 2, j - 2) + 1)
      }
      const row = rows[i]
      if (row) row[j] = distance
    }
  }
  return at(a.length, b.length)
}

/** `"a", "b" or "c"`, for messages that list the allowed choices. */
export function listOf(words: readonly string[], join = 'or'): string {
  const quoted = words.map((word) => JSON.stringify(word))
  if (quoted.length <= 1) return quoted.join('')
  return `${quoted.slice(0, -1).join(', ')} ${join} ${quoted.at(-1)}`
}
