/**
 * Turns zod's issues into sentences a definition author can act on: what
 * is wrong, where, and what to write instead. The schema stays the one
 * source of truth; this file only knows how to explain its verdicts.
 */
import { z } from 'zod'
import { CHANNELS, STEP_TYPES } from '../model.js'
import {
  definitionFileSchema,
  MAX_TAGS,
  MAX_USER_TAGS,
  STEP_CONTROL_KEYS,
  untypedStepSchema
} from './schema.js'
import { closest, listOf } from './suggest.js'
import { formatField } from './source.js'
import type { FieldPath } from './source.js'

export type Report = (path: FieldPath, message: string) => void

type Issue = z.core.$ZodIssue

const SLUG_RULE =
  'use letters and digits, with "-", "_" or "." only between them'

// Hints for a missing field, so the message says what to add and why.
// Worded for JSON and YAML alike: the same message serves both.
const MISSING_HINTS: Record<string, string> = {
  workflowId: 'add the id Novu knows the workflow by, such as "order-shipped"',
  name: 'add the name shown in the Novu dashboard',
  steps: 'add "steps" as an empty list if the workflow has no steps yet',
  stepId:
    'add an id unique within the workflow, such as "welcome-email", so ' +
    'that updates and syncs can match the step',
  enabled: 'add "enabled" set to true or false',
  all: 'add "all" holding "enabled" set to true or false',
  channels: 'add "channels", empty or listing the channels to set',
  url: 'add the URL',
  key: 'add the key',
  value: 'add the value',
  amount: 'add the amount',
  unit: 'add the unit'
}

export function explainIssues(
  issues: readonly Issue[],
  data: unknown,
  report: Report
): void {
  // A misspelt required key (`stepID`) also leaves the real one missing;
  // the unknown-key message already says which to use, so say it once.
  const all = withUntypedSteps(issues, data)
  const misspelt = new Set<string>()
  for (const issue of all) {
    if (issue.code !== 'unrecognized_keys') continue
    const path = plainPath(issue)
    const known = keysAt(path, data) ?? []
    for (const key of issue.keys) {
      const guess = closest(key, known)
      if (guess) misspelt.add(formatField([...path, guess]))
    }
  }

  for (const issue of all) {
    const path = plainPath(issue)
    const absent =
      issue.code === 'invalid_type' && valueAt(data, path) === undefined
    if (absent && misspelt.has(formatField(path))) continue
    explainIssue(issue, path, data, report)
  }
}

/**
 * zod stops at a step whose `type` picks no branch of the step union;
 * such a step is checked again without its type, so that a missing name
 * or an unknown key shows in the same run.
 */
function withUntypedSteps(issues: readonly Issue[], data: unknown): Issue[] {
  const all = [...issues]
  for (const issue of issues) {
    if (issue.code !== 'invalid_union') continue
    if ((issue as { note?: string }).note !== 'No matching discriminator') {
      continue
    }
    const path = plainPath(issue)
    const stepPath = path.at(-1) === 'type' ? path.slice(0, -1) : path
    const checked = untypedStepSchema.safeParse(valueAt(data, stepPath))
    if (checked.success) continue
    for (const inner of checked.error.issues) {
      all.push({ ...inner, path: [...stepPath, ...inner.path] })
    }
  }
  return all
}

function plainPath(issue: Issue): FieldPath {
  return issue.path.filter(
    (segment): segment is string | number => typeof segment !== 'symbol'
  )
}

function explainIssue(
  issue: Issue,
  path: FieldPath,
  data: unknown,
  report: Report
): void {
  const field = formatField(path)

  switch (issue.code) {
    case 'unrecognized_keys':
      for (const key of issue.keys) {
        report([...path, key], unknownKey(path, key, data))
      }
      return

    case 'invalid_union':
      // zod marks a step whose `type` picks no branch of the step union.
      if ((issue as { note?: string }).note === 'No matching discriminator') {
        report(path, stepType(path, data))
      } else {
        report(
          path,
          `${field} does not have an accepted form; check it ` +
            "against the step type's controls in Novu's documentation."
        )
      }
      return

    case 'invalid_type': {
      const value = valueAt(data, path)
      if (value === undefined) {
        report(path, missing(path, data))
      } else {
        report(path, wrongType(path, issue.expected, value))
      }
      return
    }

    case 'invalid_value': {
      const value = valueAt(data, path)
      const allowed = issue.values.map(String)
      const guess =
        typeof value === 'string' ? closest(value, allowed) : undefined
      const fix = guess ? `use "${guess}"` : `use ${listOf(allowed)}`
      report(path, `Invalid value ${show(value)} for ${field}; ${fix}.`)
      return
    }

    case 'invalid_format': {
      const value = valueAt(data, path)
      report(
        path,
        `${field} ${show(value)} is not a valid id; ${SLUG_RULE}` +
          `, such as ${show(slugify(String(value)))}.`
      )
      return
    }

    case 'too_small':
      if (issue.origin === 'number') {
        report(
          path,
          `${field} is ${show(valueAt(data, path))} but must be more than ` +
            `${String(issue.minimum)}; set a positive number.`
        )
        return
      }
      report(path, `${field} is empty; give it a value or remove it.`)
      return

    case 'too_big':
      if (field === 'tags') {
        const count = (valueAt(data, path) as unknown[]).length
        report(
          path,
          `tags has ${count} entries but at most ${MAX_USER_TAGS} are ` +
            `allowed: Novu caps tags at ${MAX_TAGS} and the action adds ` +
            `a managed-by tag; remove ${count - MAX_USER_TAGS} of them.`
        )
      } else {
        report(path, `${field}: ${issue.message}.`)
      }
      return

    default:
      report(path, `${field || 'The workflow'}: ${issue.message}.`)
  }
}

function unknownKey(path: FieldPath, key: string, data: unknown): string {
  const where = formatField(path)
  const known = keysAt(path, data) ?? []
  const guess = closest(key, known)

  // Preferences one level too high: Novu ignores them without a word.
  if (where === 'preferences' && (key === 'all' || key === 'channels')) {
    return (
      `"${key}" cannot sit directly under preferences, where Novu ` +
      `would ignore it; move it into preferences.workflow (the defaults) ` +
      `or preferences.user (what subscribers may change).`
    )
  }

  if (path.at(-1) === 'channels' && path[0] === 'preferences') {
    const fix = guess ? `use "${guess}"` : `channels are ${listOf(CHANNELS)}`
    return `Unknown channel "${key}" in ${where}; ${fix}.`
  }

  if (path[0] === 'steps' && path[2] === 'controlValues' && path.length === 3) {
    const step = valueAt(data, path.slice(0, 2)) as Record<string, unknown>
    const name = typeof step.stepId === 'string' ? `"${step.stepId}"` : where
    const fix = guess
      ? `did you mean "${guess}"?`
      : `allowed controls are ${listOf(known, 'and')}.`
    return (
      `Step ${name} of type ${String(step.type)} has no control ` +
      `"${key}", and Novu would drop it; ${fix}`
    )
  }

  const place = where === '' ? 'the workflow' : where
  const fix = guess
    ? `use "${guess}"`
    : `allowed keys are ${listOf(known, 'and')}`
  return `Unknown key "${key}" in ${place}; ${fix}.`
}

function stepType(path: FieldPath, data: unknown): string {
  const stepPath = path.at(-1) === 'type' ? path.slice(0, -1) : path
  const value = valueAt(data, [...stepPath, 'type'])
  const where = formatField(stepPath)
  if (value === undefined) {
    return (
      `Missing required field "type" in ${where}; use ` +
      `${listOf(STEP_TYPES)}.`
    )
  }
  const guess =
    typeof value === 'string' ? closest(value, STEP_TYPES) : undefined
  const fix = guess ? `use "${guess}"` : `use ${listOf(STEP_TYPES)}`
  return `Unknown step type ${show(value)} in ${where}.type; ${fix}.`
}

function missing(path: FieldPath, data: unknown): string {
  const key = String(path.at(-1))
  const parent = formatField(path.slice(0, -1)) || 'the workflow'
  let hint = MISSING_HINTS[key] ?? 'add it'

  // An id drawn from the step's own name is the likeliest fix.
  const name = valueAt(data, [...path.slice(0, -1), 'name'])
  if (key === 'stepId' && typeof name === 'string' && name.trim() !== '') {
    hint = hint.replace('"welcome-email"', JSON.stringify(slugify(name)))
  }
  return `Missing required field "${key}" in ${parent}; ${hint}.`
}

function wrongType(path: FieldPath, expected: string, value: unknown): string {
  const field = formatField(path)
  const wanted = expected === 'record' ? 'object' : expected
  const got = Array.isArray(value)
    ? 'array'
    : value === null
      ? 'null'
      : typeof value

  const key = path.at(-1)
  // YAML 1.2, which the loader reads, keeps yes/no/on/off as text, as
  // JSON does any quoted word; both are easy to mistake for a boolean.
  if (
    wanted === 'boolean' &&
    typeof value === 'string' &&
    /^(yes|no|on|off|y|n)$/i.test(value)
  ) {
    const meant = /^(yes|on|y)$/i.test(value)
    return (
      `${field} must be true or false, not the text "${value}"; ` +
      `write ${meant}, without quotes.`
    )
  }
  if (key === 'body' && path[2] === 'controlValues' && got === 'object') {
    return (
      `${field} must be a string, not an object; write Maily JSON ` +
      `as a string (JSON.stringify it).`
    )
  }
  if (path[0] === 'preferences' && path.at(-2) === 'channels') {
    return (
      `${field} must be an object such as { enabled: ${show(value)} }, ` +
      `not a ${got}.`
    )
  }
  return (
    `${field} must be ${article(wanted)} ${wanted}, not ${article(got)} ` +
    `${got}; change its value.`
  )
}

/**
 * Keys the schema allows at `path`, walking through the step union by the
 * step's actual type. `undefined` when any key is allowed.
 */
export function keysAt(path: FieldPath, data: unknown): string[] | undefined {
  if (path[0] === 'steps' && path[2] === 'controlValues' && path.length === 3) {
    const type = valueAt(data, [...path.slice(0, 2), 'type'])
    const keys = STEP_CONTROL_KEYS[type as keyof typeof STEP_CONTROL_KEYS]
    return keys ? [...keys] : undefined
  }

  let schema: z.ZodType = definitionFileSchema
  for (let depth = 0; depth <= path.length; depth++) {
    schema = unwrap(schema, data, path.slice(0, depth))
    if (depth === path.length) break
    const segment = path[depth]
    if (schema instanceof z.ZodObject) {
      const next = schema.shape[String(segment)] as z.ZodType | undefined
      if (next === undefined) return undefined
      schema = next
    } else if (schema instanceof z.ZodArray) {
      schema = schema.element as unknown as z.ZodType
    } else {
      return undefined
    }
  }
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : undefined
}

function unwrap(schema: z.ZodType, data: unknown, path: FieldPath): z.ZodType {
  for (;;) {
    if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) {
      schema = schema.unwrap() as z.ZodType
    } else if (schema instanceof z.ZodDiscriminatedUnion) {
      const type = valueAt(data, [...path, 'type'])
      const options = schema.options as z.ZodType[]
      const match = options.find(
        (option) =>
          option instanceof z.ZodObject &&
          option.shape.type instanceof z.ZodLiteral &&
          option.shape.type.value === type
      )
      // A step of no known type still has the keys every step has.
      schema = match ?? untypedStepSchema
    } else if (schema instanceof z.ZodUnion) {
      const options = schema.options as z.ZodType[]
      const object = options.find((option) => option instanceof z.ZodObject)
      if (object === undefined) return schema
      schema = object
    } else {
      return schema
    }
  }
}

export function valueAt(data: unknown, path: FieldPath): unknown {
  let value = data
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined
    if (!Object.hasOwn(value, segment)) return undefined
    value = (value as Record<string | number, unknown>)[segment]
  }
  return value
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a'
}

function slugify(text: string): string {
  const slug = text
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
  return slug || 'my-workflow'
}
