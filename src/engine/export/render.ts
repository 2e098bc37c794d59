/**
 * A workflow as Novu holds it, written back as a definition file: only
 * what differs from the defaults the loader fills in, in the order the
 * format documents, so that deploying the file changes nothing and a
 * second export gives the same bytes.
 */
import { stringify } from 'yaml'
import { MAX_USER_TAGS, STEP_CONTROL_KEYS } from '../definitions/schema.js'
import {
  CHANNELS,
  STEP_TYPES,
  type ExportFormat,
  type PreferenceSet,
  type RemoteStep,
  type RemoteWorkflow,
  type StepType,
  type WorkflowPreferences
} from '../model.js'
import { isOwnershipTag } from '../prune/ownership.js'

export interface RenderedDefinition {
  /** The file's data, keys in the order they are written. */
  data: Record<string, unknown>
  /** What the file could not carry over or will not validate with. */
  notes: string[]
}

export function renderDefinition(
  workflow: RemoteWorkflow,
  schemaRef: string
): RenderedDefinition {
  const notes: string[] = []
  const data: Record<string, unknown> = { $schema: schemaRef }
  data.workflowId = workflow.workflowId
  data.name = workflow.name
  if (workflow.description !== '') data.description = workflow.description

  // The ownership tag is the action's to add, never the file's.
  const tags = workflow.tags.filter((tag) => !isOwnershipTag(tag))
  if (tags.length > 0) data.tags = tags
  if (tags.length > MAX_USER_TAGS) {
    notes.push(
      `has ${tags.length} tags but a definition may have ` +
        `${MAX_USER_TAGS}; remove some before deploying the file`
    )
  }

  if (!workflow.active) data.active = false
  if (workflow.validatePayload) data.validatePayload = true
  if (
    workflow.payloadSchema !== null &&
    Object.keys(workflow.payloadSchema).length > 0
  ) {
    data.payloadSchema = workflow.payloadSchema
  }
  const preferences = renderPreferences(workflow.preferences)
  if (preferences !== undefined) data.preferences = preferences
  if (workflow.severity !== 'none') data.severity = workflow.severity
  if (workflow.isTranslationEnabled) data.isTranslationEnabled = true
  data.steps = workflow.steps.map((step) => renderStep(step, notes))
  return { data, notes }
}

export function serialise(
  data: Record<string, unknown>,
  format: ExportFormat
): string {
  if (format === 'json') return `${JSON.stringify(data, null, 2)}\n`
  // No folding: a long HTML body stays one line per line of its own.
  const text = stringify(data, { lineWidth: 0, aliasDuplicateObjects: false })
  // YAML editors take their schema from this comment, not from the key.
  const schema = typeof data.$schema === 'string' ? data.$schema : undefined
  return schema === undefined
    ? text
    : `# yaml-language-server: $schema=${schema}\n${text}`
}

function renderStep(
  step: RemoteStep,
  notes: string[]
): Record<string, unknown> {
  const rendered: Record<string, unknown> = {
    stepId: step.stepId,
    name: step.name,
    type: step.type
  }
  if (!(STEP_TYPES as readonly string[]).includes(step.type)) {
    notes.push(
      `step "${step.stepId}" has type "${step.type}", which the ` +
        'definition format does not know yet'
    )
  }
  const known = STEP_CONTROL_KEYS[step.type as StepType] ?? null
  const controls: Record<string, unknown> = {}
  // Keys in the format's order, then any others (custom steps) by name.
  const order = [
    ...(known ?? []),
    ...Object.keys(step.controlValues)
      .filter((key) => known === null || !known.includes(key))
      .sort()
  ]
  for (const key of order) {
    if (!(key in step.controlValues)) continue
    const value = step.controlValues[key]
    if (isEmpty(value)) continue
    if (known !== null && !known.includes(key)) {
      notes.push(
        `step "${step.stepId}": control "${key}" is left out; the ` +
          `format has no such control for ${step.type} steps`
      )
      continue
    }
    controls[key] = value
  }
  if (Object.keys(controls).length > 0) rendered.controlValues = controls
  return rendered
}

/**
 * Preferences only when they differ from Novu's defaults (every channel
 * on, nothing read-only, no subscriber overrides); the loader leaves
 * absent preferences to Novu, so leaving them out changes nothing.
 */
function renderPreferences(
  preferences: WorkflowPreferences | null
): WorkflowPreferences | undefined {
  if (preferences === null) return undefined
  const workflow =
    preferences.workflow !== undefined && !isDefaultSet(preferences.workflow)
      ? renderSet(preferences.workflow)
      : undefined
  const user = preferences.user ? renderSet(preferences.user) : undefined
  if (workflow === undefined && user === undefined) return undefined
  return {
    ...(workflow !== undefined && { workflow }),
    ...(user !== undefined && { user })
  }
}

function renderSet(set: PreferenceSet): PreferenceSet {
  const channels: PreferenceSet['channels'] = {}
  for (const channel of CHANNELS) {
    const held = set.channels?.[channel]
    if (held !== undefined) channels[channel] = { enabled: held.enabled }
  }
  return {
    all: {
      enabled: set.all?.enabled ?? true,
      ...(set.all?.readOnly === true && { readOnly: true })
    },
    channels
  }
}

function isDefaultSet(set: PreferenceSet): boolean {
  if (set.all?.enabled === false || set.all?.readOnly === true) return false
  return Object.values(set.channels ?? {}).every(
    (channel) => channel?.enabled !== false
  )
}

function isEmpty(value: unknown): boolean {
  return (
    value === null ||
    value === undefined ||
    value === '' ||
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === 'object' &&
      !Array.isArray(value) &&
      Object.keys(value).length === 0)
  )
}
