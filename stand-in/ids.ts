import { randomBytes } from 'node:crypto'

// Novu's internal ids are Mongo ObjectIds: 24 hex characters. Clients tell
// them apart from public identifiers by that shape, so keep it exact.
export function objectId(): string {
  return randomBytes(12).toString('hex')
}

export function isObjectId(value: string): boolean {
  return /^[0-9a-f]{24}$/i.test(value)
}

export function randomHex(length: number): string {
  return randomBytes(Math.ceil(length / 2))
    .toString('hex')
    .slice(0, length)
}

export function slugify(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
}

export function deepCopy<T>(value: T): T {
  return value === undefined ? value : structuredClone(value)
}

// Key order must not count as a change, as in Novu's diff.
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || !a || !b) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]))
  }
  const left = a as Record<string, unknown>
  const right = b as Record<string, unknown>
  const keys = new Set([...Object.keys(left), ...Object.keys(right)])
  for (const key of keys) {
    if (!deepEqual(left[key], right[key])) return false
  }
  return true
}
