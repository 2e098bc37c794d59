import diff from 'microdiff'
import type {
  FieldChange,
  PreferenceSet,
  RemoteWorkflow,
  WorkflowDefinition
} from '../model.js'

/**
 * Field-level comparison of what the repository wants with what Novu
 * holds. Plans and deploys share it, so that what a plan calls unchanged
 * a deploy never writes.
 *
 * Novu fills some fields the definition leaves out (a control the step
 * did not set comes back empty, preferences come back with every channel).
 * Such values are not differences: a key Novu holds and the definition
 * lacks counts only when its value is not an empty default. The price is
 * that a dashboard edit that sets a control to `false` or `''` where the
 * file says nothing is not seen as drift.
 */
export function compareWorkflow(
  desired: WorkflowDefinition,
  actual: RemoteWorkflow
): FieldChange[] {
  const changes: FieldChange[] = []
  const scalar = <K extends keyof WorkflowDefinition & keyof RemoteWorkflow>(
    key: K
  ): void => {
    if (!sameValue(desired[key], actual[key])) {
      changes.push({ path: key, before: actual[key], after: desired[key] })
    }
  }

  scalar('name')
  scalar('description')
  scalar('active')
  scalar('validatePayload')
  scalar('severity')
  scalar('isTranslationEnabled')
  if (!sameValue(desired.tags, actual.tags)) {
    changes.push({ path: 'tags', before: actual.tags, after: desired.tags })
  }
  changes.push(
    ...nestedChanges(
      'payloadSchema',
      actual.payloadSchema,
      desired.payloadSchema
    )
  )
  changes.push(...preferenceChanges(desired, actual))
  changes.push(...stepChanges(desired, actual))
  return changes
}

/**
 * A workflow as Novu holds it, read back as a definition, so that one
 * environment's copy can be compared with another's.
 */
export function asDefinition(remote: RemoteWorkflow): WorkflowDefinition {
  return {
    workflowId: remote.workflowId,
    name: remote.name,
    description: remote.description,
    tags: remote.tags,
    active: remote.active,
    validatePayload: remote.validatePayload,
    payloadSchema: remote.payloadSchema,
    preferences: remote.preferences,
    severity: remote.severity,
    isTranslationEnabled: remote.isTranslationEnabled,
    steps: remote.steps.map((step) => ({
      stepId: step.stepId,
      name: step.name,
      type: step.type as WorkflowDefinition['steps'][number]['type'],
      controlValues: step.controlValues
    }))
  }
}

function preferenceChanges(
  desired: WorkflowDefinition,
  actual: RemoteWorkflow
): FieldChange[] {
  // Without preferences in the file Novu's own defaults apply; the action
  // does not guess what they are, so there is nothing to compare.
  if (desired.preferences === null) return []
  const changes: FieldChange[] = []
  const wanted = desired.preferences
  const held = actual.preferences ?? {}
  if (wanted.workflow !== undefined) {
    changes.push(
      ...preferenceSetChanges(
        'preferences.workflow',
        held.workflow ?? null,
        wanted.workflow
      )
    )
  }
  // Novu deletes user preferences that an update leaves out.
  changes.push(
    ...preferenceSetChanges(
      'preferences.user',
      held.user ?? null,
      wanted.user ?? null
    )
  )
  return changes
}

function preferenceSetChanges(
  path: string,
  held: PreferenceSet | null,
  wanted: PreferenceSet | null
): FieldChange[] {
  if (wanted === null || held === null) {
    return wanted === held ? [] : [{ path, before: held, after: wanted }]
  }
  return nestedChanges(path, held, wanted, isPreferenceDefault)
}

function stepChanges(
  desired: WorkflowDefinition,
  actual: RemoteWorkflow
): FieldChange[] {
  const changes: FieldChange[] = []
  const held = new Map(actual.steps.map((step) => [step.stepId, step]))
  const wanted = new Set(desired.steps.map((step) => step.stepId))

  for (const step of actual.steps) {
    if (!wanted.has(step.stepId)) {
      changes.push({
        path: `steps.${step.stepId}`,
        before: `${step.type} step "${step.name}"`,
        after: undefined
      })
    }
  }
  for (const step of desired.steps) {
    const current = held.get(step.stepId)
    const path = `steps.${step.stepId}`
    if (current === undefined) {
      changes.push({
        path,
        before: undefined,
        after: `${step.type} step "${step.name}"`
      })
      continue
    }
    if (current.name !== step.name) {
      changes.push({
        path: `${path}.name`,
        before: current.name,
        after: step.name
      })
    }
    if (current.type !== step.type) {
      changes.push({
        path: `${path}.type`,
        before: current.type,
        after: step.type
      })
    }
    changes.push(
      ...nestedChanges(
        `${path}.controlValues`,
        current.controlValues,
        step.controlValues
      )
    )
  }

  const heldOrder = actual.steps
    .map((step) => step.stepId)
    .filter((id) => wanted.has(id))
  const wantedOrder = desired.steps
    .map((step) => step.stepId)
    .filter((id) => held.has(id))
  if (heldOrder.join('\u0000') !== wantedOrder.join('\u0000')) {
    changes.push({
      path: 'steps (order)',
      before: heldOrder,
      after: wantedOrder
    })
  }
  return changes
}

/**
 * Differences inside a nested value, one change per leaf. A leaf Novu
 * holds that the file does not name is ignored when `isDefault` says it
 * is a value Novu fills in by itself.
 */
function nestedChanges(
  path: string,
  held: unknown,
  wanted: unknown,
  isDefault: (value: unknown, key: string) => boolean = isEmptyDefault
): FieldChange[] {
  if (!isPlainObject(held) || !isPlainObject(wanted)) {
    if (isPlainObject(held) && wanted === null && isEmptyObject(held)) return []
    return sameValue(held, wanted)
      ? []
      : [{ path, before: held, after: wanted }]
  }
  const changes: FieldChange[] = []
  for (const entry of diff(held, wanted)) {
    const key = String(entry.path[entry.path.length - 1])
    if (entry.type === 'REMOVE' && isDefault(entry.oldValue, key)) continue
    changes.push({
      path: [path, ...entry.path].join('.'),
      before: entry.type === 'CREATE' ? undefined : entry.oldValue,
      after: entry.type === 'REMOVE' ? undefined : entry.value
    })
  }
  return changes
}

function isEmptyDefault(value: unknown): boolean {
  return (
    value === null ||
    value === undefined ||
    value === '' ||
    value === false ||
    (Array.isArray(value) && value.length === 0) ||
    (isPlainObject(value) && isEmptyObject(value))
  )
}

/** Novu's preference defaults: every channel on, nothing read-only. */
function isPreferenceDefault(value: unknown, key: string): boolean {
  if (key === 'enabled') return value === true
  if (key === 'readOnly') return value === false
  if (!isPlainObject(value)) return isEmptyDefault(value)
  return Object.entries(value).every(([k, v]) => isPreferenceDefault(v, k))
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isEmptyObject(value: Record<string, unknown>): boolean {
  return Object.keys(value).length === 0
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object') return false
  if (a === null || b === null) return false
  return diff(a, b).length === 0
}
