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

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost
      )
    }
    previous = current
  }
  return previous[b.length] ?? 0
}

/** `"a", "b" or "c"`, for messages that list the allowed choices. */
export function listOf(words: readonly string[], join = 'or'): string {
  const quoted = words.map((word) => JSON.stringify(word))
  if (quoted.length <= 1) return quoted.join('')
  return `${quoted.slice(0, -1).join(', ')} ${join} ${quoted.at(-1)}`
}
