/**
 * Rules that a schema of shapes cannot express: uniqueness, a payload
 * schema that must itself be JSON Schema, and email bodies that Novu would
 * blank. They run on the raw document, so each guards its own input.
 */
import { Ajv } from 'ajv'
import { Ajv2020 } from 'ajv/dist/2020.js'
import type { ErrorObject } from 'ajv'
import { formatField } from './source.js'
import type { FieldPath } from './source.js'
import type { Report } from './issues.js'

export function checkRules(data: Record<string, unknown>, report: Report) {
  checkTags(data.tags, report)
  checkStepIds(data.steps, report)
  checkPayloadSchema(data.payloadSchema, report)
  checkEmailBodies(data.steps, report)
}

function checkTags(tags: unknown, report: Report): void {
  if (!Array.isArray(tags)) return
  const seen = new Set<unknown>()
  tags.forEach((tag, index) => {
    if (seen.has(tag)) {
      report(
        ['tags', index],
        `Tag ${JSON.stringify(tag)} appears more ` +
          'than once in tags; remove the repeat.'
      )
    }
    seen.add(tag)
  })
}

function checkStepIds(steps: unknown, report: Report): void {
  if (!Array.isArray(steps)) return
  const first = new Map<string, number>()
  steps.forEach((step: unknown, index) => {
    const stepId = (step as { stepId?: unknown } | null)?.stepId
    if (typeof stepId !== 'string') return
    const earlier = first.get(stepId)
    if (earlier === undefined) {
      first.set(stepId, index)
      return
    }
    report(
      ['steps', index, 'stepId'],
      `Step id "${stepId}" is already ` +
        `used by steps[${earlier}]; step ids must be unique within a ` +
        'workflow because updates and syncs match steps by them.'
    )
  })
}

let draft07: Ajv | undefined
let draft2020: Ajv2020 | undefined

function checkPayloadSchema(schema: unknown, report: Report): void {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    return
  }

  const declared = (schema as { $schema?: unknown }).$schema
  const dialect = typeof declared === 'string' ? declared : ''
  const ajv = dialect.includes('2020-12')
    ? (draft2020 ??= new Ajv2020(AJV_OPTIONS))
    : (draft07 ??= new Ajv(AJV_OPTIONS))

  // Other dialects (draft-04, draft-06) share draft-07's keywords closely
  // enough for a sanity check; Ajv would refuse their `$schema` outright.
  const known = dialect === '' || /draft-07|2020-12/.test(dialect)
  let subject: object = schema
  if (!known) {
    const { $schema: _ignored, ...rest } = schema as Record<string, unknown>
    subject = rest
  }

  if (ajv.validateSchema(subject) === true) return
  for (const error of pickErrors(ajv.errors ?? [])) {
    const path: FieldPath = ['payloadSchema', ...pointerToPath(error)]
    const field = formatField(path)
    report(
      path,
      `${field} is not valid JSON Schema: ${describe(error)}; ` +
        'fix it so that Novu can check trigger payloads against it.'
    )
  }
}

const AJV_OPTIONS = {
  allErrors: true,
  strict: false,
  validateFormats: false,
  logger: false
} as const

/** One error per location: the most specific of the meta-schema's. */
function pickErrors(errors: ErrorObject[]): ErrorObject[] {
  const byPath = new Map<string, ErrorObject>()
  for (const error of errors) {
    const current = byPath.get(error.instancePath)
    if (current === undefined || rank(error) > rank(current)) {
      byPath.set(error.instancePath, error)
    }
  }
  return [...byPath.values()]
}

function rank(error: ErrorObject): number {
  if (error.keyword === 'enum') return 3
  if (error.keyword === 'anyOf' || error.keyword === 'oneOf') return 0
  return 1
}

function describe(error: ErrorObject): string {
  if (error.keyword === 'enum') {
    const allowed = (error.params as { allowedValues: unknown[] }).allowedValues
    return `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`
  }
  return error.message ?? 'it does not match the JSON Schema meta-schema'
}

function pointerToPath(error: ErrorObject): string[] {
  const pointer = error.instancePath
  if (pointer === '') return []
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
}

/** Maily (TipTap) documents are JSON whose top level is `type: "doc"`. */
export function isMailyBody(body: unknown): boolean {
  if (typeof body !== 'string') return false
  try {
    const parsed: unknown = JSON.parse(body)
    return (
      parsed !== null &&
      typeof parsed === 'object' &&
      (parsed as { type?: unknown }).type === 'doc'
    )
  } catch {
    return false
  }
}

function checkEmailBodies(steps: unknown, report: Report): void {
  if (!Array.isArray(steps)) return
  steps.forEach((step: unknown, index) => {
    const { type, stepId, controlValues } = (step ?? {}) as {
      type?: unknown
      stepId?: unknown
      controlValues?: { editorType?: unknown; body?: unknown }
    }
    if (type !== 'email' || controlValues?.editorType !== 'block') return
    const body = controlValues.body
    if (typeof body !== 'string' || body.trim() === '' || isMailyBody(body)) {
      return
    }
    const name = typeof stepId === 'string' ? `"${stepId}"` : `steps[${index}]`
    report(
      ['steps', index, 'controlValues', 'editorType'],
      `Email step ` +
        `${name} has editorType "block" but its body is not Maily JSON, so ` +
        'Novu would blank it; set editorType to "html" or remove it.'
    )
  })
}
