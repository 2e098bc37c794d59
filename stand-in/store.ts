import {
  stepIssues,
  workflowStatus,
  type StepIssues,
  type WorkflowStatus
} from './content-issues.js'
import {
  nestError,
  objectError,
  validationError,
  workflowNotFound,
  type FieldProblem
} from './errors.js'
import { deepCopy, objectId, randomHex, slugify } from './ids.js'

export const stepTypes = [
  'in_app',
  'email',
  'sms',
  'push',
  'chat',
  'delay',
  'digest',
  'throttle',
  'custom',
  'http_request'
]

const maxTags = 16

export type Preferences = Record<string, unknown>

export interface StoredStep {
  _id: string
  stepId: string
  name: string
  type: string
  controlValues: Record<string, unknown>
  issues?: StepIssues
  createdAt: string
  updatedAt: string
}

export interface StoredWorkflow {
  _id: string
  workflowId: string
  name: string
  description?: string
  tags: string[]
  active: boolean
  validatePayload?: boolean
  payloadSchema: Record<string, unknown> | null
  isTranslationEnabled: boolean
  severity: string
  origin: string
  status: WorkflowStatus
  preferences: { workflow: Preferences; user: Preferences | null }
  steps: StoredStep[]
  createdAt: string
  updatedAt: string
  lastPublishedAt: string | null
  // The last create or update body exactly as it arrived, so tests can check
  // that every field of a definition reached the server.
  lastBody?: unknown
}

export interface SeedStep {
  _id?: string
  stepId?: string
  name?: string
  type: string
  controlValues?: Record<string, unknown>
}

export interface SeedWorkflow {
  workflowId: string
  name?: string
  description?: string
  tags?: string[]
  active?: boolean
  validatePayload?: boolean
  payloadSchema?: Record<string, unknown> | null
  isTranslationEnabled?: boolean
  severity?: string
  origin?: string
  preferences?: { workflow?: Preferences; user?: Preferences | null }
  steps?: SeedStep[]
}

export interface Environment {
  _id: string
  name: string
  identifier: string
  secretKey: string
  parentId?: string
  type: 'dev' | 'prod'
  workflows: Map<string, StoredWorkflow>
}

const channels = ['in_app', 'email', 'sms', 'chat', 'push']

export function defaultWorkflowPreferences(): Preferences {
  return {
    all: { enabled: true, readOnly: false },
    channels: Object.fromEntries(
      channels.map((channel) => [channel, { enabled: true }])
    )
  }
}

type Body = Record<string, unknown>

function isRecord(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function checkWorkflowBody(body: unknown, creating: boolean): Body {
  const problems: Record<string, FieldProblem> = {}
  if (!isRecord(body)) {
    throw validationError({ body: { messages: ['body must be an object'] } })
  }
  if (typeof body.name !== 'string' || body.name.trim() === '') {
    problems.name = { messages: ['name should not be empty'], value: body.name }
  }
  if (creating) {
    const id = body.workflowId
    if (
      typeof id !== 'string' ||
      !/^[a-zA-Z0-9]+(?:[-_.][a-zA-Z0-9]+)*$/.test(id)
    ) {
      problems.workflowId = {
        messages: ['workflowId must be a valid slug identifier'],
        value: id
      }
    }
  }
  if (body.tags !== undefined && !Array.isArray(body.tags)) {
    problems.tags = { messages: ['tags must be an array'], value: body.tags }
  }
  if (!Array.isArray(body.steps)) {
    problems.steps = { messages: ['steps must be an array'], value: body.steps }
  } else {
    body.steps.forEach((step: unknown, index) => {
      const type = isRecord(step) ? step.type : undefined
      if (typeof type !== 'string' || !stepTypes.includes(type)) {
        problems[`steps.${index}.type`] = {
          messages: [
            `type must be one of the following values: ${stepTypes.join(', ')}`
          ],
          value: type
        }
      }
      if (!isRecord(step) || typeof step.name !== 'string') {
        problems[`steps.${index}.name`] = {
          messages: ['name must be a string'],
          value: isRecord(step) ? step.name : undefined
        }
      }
    })
  }
  if (Object.keys(problems).length > 0) throw validationError(problems)

  // Novu checks the tag count as a rule of its own, after validation.
  if (Array.isArray(body.tags) && body.tags.length > maxTags) {
    throw nestError(400, `tags must contain no more than ${maxTags} elements`)
  }
  return body
}

function uniqueStepId(base: string, taken: Set<string>): string {
  let candidate = base
  while (taken.has(candidate)) candidate = `${base}-${randomHex(4)}`
  return candidate
}

// A step keeps its `_id` only when the body names an `_id` the workflow
// already has; anything else is a new step with a fresh id and no history.
function buildSteps(
  sent: unknown[],
  existing: StoredStep[],
  now: string
): StoredStep[] {
  const byId = new Map(existing.map((step) => [step._id, step]))
  const taken = new Set<string>()

  return sent.map((raw) => {
    const step = raw as Body
    const previous =
      typeof step._id === 'string' ? byId.get(step._id) : undefined
    const name = typeof step.name === 'string' ? step.name : ''
    const wanted =
      typeof step.stepId === 'string' && step.stepId !== ''
        ? step.stepId
        : (previous?.stepId ?? (slugify(name) || 'step'))
    const stepId = uniqueStepId(wanted, taken)
    taken.add(stepId)
    const controlValues = isRecord(step.controlValues)
      ? deepCopy(step.controlValues)
      : {}
    const type = String(step.type)

    const stored: StoredStep = {
      _id: previous?._id ?? objectId(),
      stepId,
      name,
      type,
      controlValues,
      createdAt: previous?.createdAt ?? now,
      updatedAt: now
    }
    const issues = stepIssues(type, controlValues)
    if (issues) stored.issues = issues
    return stored
  })
}

function readPreferences(body: Body): StoredWorkflow['preferences'] {
  const sent = isRecord(body.preferences) ? body.preferences : {}
  return {
    workflow: isRecord(sent.workflow)
      ? deepCopy(sent.workflow)
      : defaultWorkflowPreferences(),
    user: isRecord(sent.user) ? deepCopy(sent.user) : null
  }
}

export interface StoreOptions {
  environments: string[]
  workflowLimit?: number
}

export class Store {
  readonly organizationId = objectId()
  readonly environments: Environment[] = []
  private readonly workflowLimit: number

  constructor(options: StoreOptions) {
    this.workflowLimit = options.workflowLimit ?? Infinity
    for (const [index, name] of options.environments.entries()) {
      const development = this.environments[0]
      this.environments.push({
        _id: objectId(),
        name,
        identifier: randomHex(12),
        secretKey: randomHex(32),
        ...(development && { parentId: development._id }),
        type: index === 0 ? 'dev' : 'prod',
        workflows: new Map()
      })
    }
  }

  get development(): Environment | undefined {
    return this.environments[0]
  }

  byName(name: string): Environment {
    const found = this.environments.find((env) => env.name === name)
    if (!found) throw new Error(`The stand-in has no environment "${name}".`)
    return found
  }

  byId(id: string): Environment | undefined {
    return this.environments.find((env) => env._id === id)
  }

  byKey(secretKey: string): Environment | undefined {
    return this.environments.find((env) => env.secretKey === secretKey)
  }

  remove(name: string): void {
    const index = this.environments.findIndex((env) => env.name === name)
    if (index >= 0) this.environments.splice(index, 1)
  }

  find(env: Environment, idOrInternalId: string): StoredWorkflow | undefined {
    const direct = env.workflows.get(idOrInternalId)
    if (direct) return direct
    for (const workflow of env.workflows.values()) {
      if (workflow._id === idOrInternalId) return workflow
    }
    return undefined
  }

  get(env: Environment, idOrInternalId: string): StoredWorkflow {
    const workflow = this.find(env, idOrInternalId)
    if (!workflow) throw workflowNotFound(idOrInternalId)
    return workflow
  }

  private checkLimit(env: Environment): void {
    if (env.workflows.size >= this.workflowLimit) {
      throw nestError(400, 'Workflow limit exceeded')
    }
  }

  // `suffixDuplicate` reproduces what Novu does when asked to create a
  // workflowId that is taken: save a copy under a suffixed id and say 201.
  create(
    env: Environment,
    raw: unknown,
    suffixDuplicate = false
  ): StoredWorkflow {
    const body = checkWorkflowBody(raw, true)
    let workflowId = String(body.workflowId)

    if (env.workflows.has(workflowId)) {
      if (!suffixDuplicate) {
        throw objectError(409, {
          message: `Workflow with id ${workflowId} already exists`,
          error: 'Conflict',
          workflowId
        })
      }
      do workflowId = `${workflowId}-${randomHex(4)}`
      while (env.workflows.has(workflowId))
    }
    this.checkLimit(env)

    const now = new Date().toISOString()
    const steps = buildSteps(body.steps as unknown[], [], now)
    // The SDK always sends `active`; a raw body without it is taken as false,
    // the value the SDK would have filled in.
    const active = body.active === true
    const workflow: StoredWorkflow = {
      _id: objectId(),
      workflowId,
      ...sentFields(body),
      severity: typeof body.severity === 'string' ? body.severity : 'none',
      origin: 'novu-cloud',
      status: workflowStatus(active, steps),
      preferences: readPreferences(body),
      steps,
      createdAt: now,
      updatedAt: now,
      lastPublishedAt: null,
      lastBody: deepCopy(raw)
    }
    env.workflows.set(workflowId, workflow)
    return workflow
  }

  // A full replace: every field comes from the body, nothing is merged in.
  replace(
    env: Environment,
    idOrInternalId: string,
    raw: unknown
  ): StoredWorkflow {
    const existing = this.get(env, idOrInternalId)
    const body = checkWorkflowBody(raw, false)
    const now = new Date().toISOString()
    const steps = buildSteps(body.steps as unknown[], existing.steps, now)
    const active = body.active === true

    const updated: StoredWorkflow = {
      _id: existing._id,
      workflowId: existing.workflowId,
      ...sentFields(body),
      severity:
        typeof body.severity === 'string' ? body.severity : existing.severity,
      origin: typeof body.origin === 'string' ? body.origin : existing.origin,
      status: workflowStatus(active, steps),
      preferences: readPreferences(body),
      steps,
      createdAt: existing.createdAt,
      updatedAt: now,
      lastPublishedAt: existing.lastPublishedAt,
      lastBody: deepCopy(raw)
    }
    env.workflows.set(existing.workflowId, updated)
    return updated
  }

  delete(env: Environment, idOrInternalId: string): void {
    const existing = this.get(env, idOrInternalId)
    env.workflows.delete(existing.workflowId)
  }

  // Promotion as Novu does it: steps are matched by stepId so that the
  // target keeps its step `_id`s, target steps gone from the source are
  // dropped, and no workflow is ever deleted.
  sync(
    source: Environment,
    idOrInternalId: string,
    targetId: unknown
  ): StoredWorkflow {
    if (typeof targetId !== 'string') {
      throw validationError({
        targetEnvironmentId: {
          messages: ['targetEnvironmentId must be a string'],
          value: targetId
        }
      })
    }
    if (targetId === source._id) {
      throw nestError(400, 'Cannot sync workflow to the same environment')
    }
    const target = this.byId(targetId)
    if (!target) throw nestError(404, `Environment ${targetId} not found`)

    const workflow = this.get(source, idOrInternalId)
    if (workflow.origin !== 'novu-cloud') {
      throw objectError(400, {
        message:
          `Cannot sync workflow: origin '${workflow.origin}' is not ` +
          'allowed (must be one of: novu-cloud)',
        workflowId: workflow.workflowId,
        status: workflow.status,
        origin: workflow.origin,
        allowedOrigins: ['novu-cloud']
      })
    }

    const existing = target.workflows.get(workflow.workflowId)
    if (!existing) this.checkLimit(target)

    const now = new Date().toISOString()
    const targetSteps = new Map(
      (existing?.steps ?? []).map((step) => [step.stepId, step])
    )
    const steps: StoredStep[] = workflow.steps.map((step) => {
      const previous = targetSteps.get(step.stepId)
      const copy: StoredStep = {
        ...deepCopy(step),
        _id: previous?._id ?? objectId(),
        createdAt: previous?.createdAt ?? now,
        updatedAt: now
      }
      return copy
    })

    const synced: StoredWorkflow = {
      ...deepCopy(workflow),
      _id: existing?._id ?? objectId(),
      steps,
      origin: 'novu-cloud',
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
      lastPublishedAt: null
    }
    delete synced.lastBody
    target.workflows.set(synced.workflowId, synced)
    workflow.lastPublishedAt = now
    return synced
  }

  seed(env: Environment, seed: SeedWorkflow): StoredWorkflow {
    const now = new Date().toISOString()
    const sent = (seed.steps ?? []).map((step) => ({
      name: step.stepId ?? step.type,
      ...step
    }))
    const steps = buildSteps(sent, [], now).map((step, index) => {
      const id = seed.steps?.[index]?._id
      return id ? { ...step, _id: id } : step
    })
    const active = seed.active ?? true
    const workflow: StoredWorkflow = {
      _id: objectId(),
      workflowId: seed.workflowId,
      name: seed.name ?? seed.workflowId,
      ...(seed.description !== undefined && { description: seed.description }),
      tags: seed.tags ?? [],
      active,
      ...(seed.validatePayload !== undefined && {
        validatePayload: seed.validatePayload
      }),
      payloadSchema: seed.payloadSchema ?? null,
      isTranslationEnabled: seed.isTranslationEnabled ?? false,
      severity: seed.severity ?? 'none',
      origin: seed.origin ?? 'novu-cloud',
      status: workflowStatus(active, steps),
      preferences: {
        workflow: seed.preferences?.workflow ?? defaultWorkflowPreferences(),
        user: seed.preferences?.user ?? null
      },
      steps,
      createdAt: now,
      updatedAt: now,
      lastPublishedAt: null
    }
    env.workflows.set(workflow.workflowId, deepCopy(workflow))
    return workflow
  }
}

/** The fields a create and a full replace both take from the body as is. */
function sentFields(body: Record<string, unknown>) {
  return {
    name: String(body.name),
    ...(typeof body.description === 'string' && {
      description: body.description
    }),
    tags: Array.isArray(body.tags) ? deepCopy(body.tags as string[]) : [],
    active: body.active === true,
    ...(typeof body.validatePayload === 'boolean' && {
      validatePayload: body.validatePayload
    }),
    payloadSchema: isRecord(body.payloadSchema)
      ? deepCopy(body.payloadSchema)
      : null,
    isTranslationEnabled: body.isTranslationEnabled === true
  }
}
