import type {
  ContentIssue,
  Environment,
  PreferenceSet,
  RemoteStep,
  RemoteWorkflow,
  Severity,
  WorkflowDefinition,
  WorkflowPreferences
} from '../model.js'
import { SEVERITIES } from '../model.js'
import type { EnvironmentDiffState, WorkflowSummary } from './gateway.js'

/**
 * The JSON that goes to Novu and the mapping of what comes back, kept
 * apart from the transport so that both directions can be read in one
 * place.
 *
 * Bodies are built here field by field instead of through the SDK's
 * request models: those fill in `active: false`, `isTranslationEnabled:
 * false` and an email `editorType: 'block'` when a field is absent, and
 * drop control keys they do not know, so what Novu saved would differ
 * from the definition. Responses are read raw for the mirror reason: the
 * SDK's response models add defaults of their own to control values and
 * reject step types newer than the installed SDK.
 */

type Json = Record<string, unknown>

/** Body of `POST /v2/workflows` (CreateWorkflowDto). */
export function createBody(definition: WorkflowDefinition): Json {
  const body: Json = {
    workflowId: definition.workflowId,
    ...commonFields(definition),
    // The API's own default, sent so that nothing is left implicit.
    __source: 'editor',
    steps: definition.steps.map((step) => ({
      stepId: step.stepId,
      name: step.name,
      type: step.type,
      controlValues: step.controlValues
    }))
  }
  // Without preferences in the definition Novu's defaults apply.
  if (definition.preferences !== null) {
    body.preferences = preferencesBody(definition.preferences, null)
  }
  return body
}

/**
 * Body of `PUT /v2/workflows/{workflowId}` (UpdateWorkflowDto), a full
 * replace. Each step carries the internal id of the current step with the
 * same `stepId`, else Novu would treat it as new and drop its history.
 */
export function updateBody(
  definition: WorkflowDefinition,
  current: RemoteWorkflow
): Json {
  const held = new Map(current.steps.map((step) => [step.stepId, step]))
  return {
    ...commonFields(definition),
    // Required on update; workflows this action manages come from the API.
    origin: current.origin === '' ? 'novu-cloud' : current.origin,
    // Required on update, and an update that leaves preferences out resets
    // them; a definition without preferences keeps what Novu holds.
    preferences: preferencesBody(definition.preferences, current.preferences),
    steps: definition.steps.map((step) => {
      const existing = held.get(step.stepId)
      // A step whose type changed cannot keep the old step's identity.
      const keep = existing !== undefined && existing.type === step.type
      return {
        ...(keep ? { _id: existing.internalId } : {}),
        stepId: step.stepId,
        name: step.name,
        type: step.type,
        controlValues: step.controlValues
      }
    })
  }
}

function commonFields(definition: WorkflowDefinition): Json {
  return {
    name: definition.name,
    description: definition.description,
    tags: definition.tags,
    active: definition.active,
    validatePayload: definition.validatePayload,
    payloadSchema: definition.payloadSchema,
    severity: definition.severity,
    isTranslationEnabled: definition.isTranslationEnabled
  }
}

function preferencesBody(
  wanted: WorkflowPreferences | null,
  held: WorkflowPreferences | null
): Json {
  if (wanted === null) {
    return {
      workflow: held?.workflow ?? null,
      user: held?.user ?? null
    }
  }
  return {
    // A definition that sets only user preferences leaves the workflow
    // ones as Novu holds them rather than resetting them to defaults.
    workflow: wanted.workflow ?? held?.workflow ?? null,
    user: wanted.user ?? null
  }
}

/** Strips the `{ data }` envelope Novu puts around success bodies. */
export function unwrap(value: unknown): unknown {
  if (isRecord(value) && 'data' in value && Object.keys(value).length === 1) {
    return value.data
  }
  return value
}

/**
 * Reads a workflow as Novu returns it (WorkflowResponseDto). Lenient on
 * purpose: a value the engine does not know is carried, not rejected.
 */
export function toRemoteWorkflow(value: unknown): RemoteWorkflow | undefined {
  const data = unwrap(value)
  if (!isRecord(data) || typeof data.workflowId !== 'string') return undefined

  const steps = Array.isArray(data.steps) ? data.steps.filter(isRecord) : []
  return {
    internalId: text(data._id ?? data.id),
    workflowId: data.workflowId,
    name: text(data.name),
    description: text(data.description),
    tags: Array.isArray(data.tags) ? data.tags.map(String) : [],
    active: data.active === true,
    validatePayload: data.validatePayload === true,
    payloadSchema: isRecord(data.payloadSchema) ? data.payloadSchema : null,
    preferences: toPreferences(data.preferences),
    severity: toSeverity(data.severity),
    isTranslationEnabled: data.isTranslationEnabled === true,
    steps: steps.map(toRemoteStep),
    origin: text(data.origin),
    status: text(data.status),
    issues: [
      ...workflowIssues(data.issues),
      ...steps.flatMap((step) => stepIssues(step))
    ],
    ...(typeof data.updatedAt === 'string' ? { updatedAt: data.updatedAt } : {})
  }
}

function toRemoteStep(step: Json): RemoteStep {
  const controls = isRecord(step.controls) ? step.controls : {}
  const values = isRecord(step.controlValues)
    ? step.controlValues
    : isRecord(controls.values)
      ? controls.values
      : {}
  return {
    internalId: text(step._id ?? step.id),
    stepId: text(step.stepId),
    name: text(step.name),
    type: text(step.type),
    controlValues: values
  }
}

/** Novu's `{ user, default }` is the definition's `{ workflow, user }`. */
function toPreferences(value: unknown): WorkflowPreferences | null {
  if (!isRecord(value)) return null
  const preferences: WorkflowPreferences = {
    user: isRecord(value.user) ? (value.user as unknown as PreferenceSet) : null
  }
  const workflow = value.default ?? value.workflow
  if (isRecord(workflow)) {
    preferences.workflow = workflow as unknown as PreferenceSet
  }
  return preferences
}

function toSeverity(value: unknown): Severity {
  return SEVERITIES.includes(value as Severity) ? (value as Severity) : 'none'
}

/** Workflow issues: `{ field: issue | issue[] }`. */
function workflowIssues(value: unknown): ContentIssue[] {
  if (!isRecord(value)) return []
  return Object.entries(value).flatMap(([field, entry]) =>
    issueList(entry).map((message) => ({ field, message }))
  )
}

/**
 * Step issues: `{ controls: { field: issue[] }, integration: { channel:
 * issue[] } }`, where an issue is `{ issueType, variableName?, message }`.
 */
function stepIssues(step: Json): ContentIssue[] {
  const issues = step.issues
  if (!isRecord(issues)) return []
  const stepId = text(step.stepId)
  const found: ContentIssue[] = []
  for (const [group, fields] of Object.entries(issues)) {
    if (!isRecord(fields)) continue
    for (const [field, entry] of Object.entries(fields)) {
      const path = group === 'controls' ? field : `${group}.${field}`
      for (const message of issueList(entry)) {
        found.push({ stepId, field: path, message })
      }
    }
  }
  return found
}

function issueList(entry: unknown): string[] {
  const items = Array.isArray(entry) ? entry : [entry]
  return items.flatMap((item) => {
    if (typeof item === 'string') return [item]
    if (!isRecord(item)) return []
    if (typeof item.message === 'string') return [item.message]
    if (typeof item.issueType === 'string') return [item.issueType]
    return []
  })
}

/**
 * An environment from `GET /v1/environments` or `/v1/environments/me`,
 * raw (`_id`) or as the SDK maps it (`id`).
 */
export function toEnvironment(value: unknown): Environment | undefined {
  const data = unwrap(value)
  if (!isRecord(data)) return undefined
  const id = data._id ?? data.id
  if (typeof id !== 'string' || typeof data.name !== 'string') return undefined
  return {
    id,
    name: data.name,
    identifier: text(data.identifier),
    ...(typeof data.type === 'string' ? { type: data.type } : {}),
    // Novu sets a parent on every environment but Development.
    ...(typeof data._parentId === 'string' ? { parentId: data._parentId } : {}),
    ...(typeof data.parentId === 'string' ? { parentId: data.parentId } : {})
  }
}

/** Whether an environment's listed API keys include the given key. */
export function holdsKey(value: unknown, secretKey: string): boolean {
  if (!isRecord(value) || !Array.isArray(value.apiKeys)) return false
  return value.apiKeys.some((key) => isRecord(key) && key.key === secretKey)
}

/** One page of `GET /v2/workflows`: `{ workflows, totalCount }`. */
export function toWorkflowPage(value: unknown): {
  workflows: WorkflowSummary[]
  totalCount: number
} {
  const data = unwrap(value)
  const page = isRecord(data) ? data : {}
  const items = Array.isArray(page.workflows) ? page.workflows : []
  const workflows = items.filter(isRecord).map((item) => ({
    workflowId: text(item.workflowId),
    name: text(item.name),
    origin: text(item.origin),
    ...(Array.isArray(item.tags)
      ? { tags: item.tags.filter((tag) => typeof tag === 'string') }
      : {}),
    ...(typeof item.updatedAt === 'string' ? { updatedAt: item.updatedAt } : {})
  }))
  const totalCount =
    typeof page.totalCount === 'number' ? page.totalCount : workflows.length
  return { workflows, totalCount }
}

/**
 * Reads `POST /v2/environments/{targetId}/diff`. The server (Novu's
 * environments-v2 diff use case) answers, inside `{ data }`:
 *
 *   { sourceEnvironmentId, targetEnvironmentId,
 *     resources: [{ resourceType: 'workflow' | 'layout' | ...,
 *       sourceResource: { id, name, updatedAt, updatedBy } | null,
 *       targetResource: { id, name, updatedAt, updatedBy } | null,
 *       changes: [{ resourceType: 'workflow' | 'step', action,
 *         sourceResource, targetResource, diffs?, stepType? }],
 *       summary: { added, modified, deleted, unchanged },
 *       dependencies? }],
 *     summary: { totalEntities, totalChanges, hasChanges } }
 *
 * where a resource `id` is the workflowId, `sourceResource` is null for a
 * workflow only the target holds and `targetResource` null for one only
 * the source holds. Workflows equal in both are normally left out, so an
 * id missing from the map means unchanged (or absent from both). The
 * SDK's model of this answer expects `resourceType` values the server
 * never sends (REGULAR, ECHO, BRIDGE) and so fails on every real answer.
 */
export function toDiffStates(
  value: unknown
): Map<string, EnvironmentDiffState> {
  const data = unwrap(value)
  const states = new Map<string, EnvironmentDiffState>()
  if (!isRecord(data) || !Array.isArray(data.resources)) return states

  for (const resource of data.resources.filter(isRecord)) {
    if (resource.resourceType !== 'workflow') continue
    const source = isRecord(resource.sourceResource)
      ? resource.sourceResource
      : null
    const target = isRecord(resource.targetResource)
      ? resource.targetResource
      : null
    const id = text(source?.id ?? target?.id)
    if (id === '') continue
    states.set(id, diffState(resource, source, target))
  }
  return states
}

function diffState(
  resource: Json,
  source: Json | null,
  target: Json | null
): EnvironmentDiffState {
  if (source === null) return 'deleted'
  if (target === null) return 'added'
  const changes = Array.isArray(resource.changes) ? resource.changes : []
  const summary = isRecord(resource.summary) ? resource.summary : {}
  const counted = ['added', 'modified', 'deleted'].some(
    (key) => typeof summary[key] === 'number' && summary[key] > 0
  )
  const changed = changes.some(
    (change) => isRecord(change) && change.action !== 'unchanged'
  )
  return counted || changed ? 'modified' : 'unchanged'
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : ''
}
