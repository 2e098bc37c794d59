import type { Environment, StoredStep, StoredWorkflow } from './store.js'
import { slugify } from './ids.js'

// Bodies below are what Novu puts on the wire (before the SDK renames `_id`
// to `id`): WorkflowResponseDto, StepResponseDto, WorkflowListResponseDto
// and EnvironmentResponseDto.

// Novu's slugs end in a short form of the internal id; the exact encoding
// does not matter to clients, only that the slug is stable per record.
function slug(name: string, prefix: string, id: string): string {
  return `${slugify(name) || prefix}_${prefix}_${id.slice(-8)}`
}

function stepResponse(workflow: StoredWorkflow, step: StoredStep) {
  return {
    _id: step._id,
    stepId: step.stepId,
    slug: slug(step.name, 'st', step._id),
    name: step.name,
    type: step.type,
    origin: workflow.origin,
    workflowId: workflow.workflowId,
    workflowDatabaseId: workflow._id,
    controls: {
      values: step.controlValues,
      dataSchema: { type: 'object', properties: {}, additionalProperties: true }
    },
    controlValues: step.controlValues,
    variables: { type: 'object', properties: {} },
    ...(step.issues && { issues: step.issues })
  }
}

export function workflowResponse(workflow: StoredWorkflow) {
  return {
    _id: workflow._id,
    workflowId: workflow.workflowId,
    slug: slug(workflow.name, 'wf', workflow._id),
    name: workflow.name,
    ...(workflow.description !== undefined && {
      description: workflow.description
    }),
    tags: workflow.tags,
    active: workflow.active,
    ...(workflow.validatePayload !== undefined && {
      validatePayload: workflow.validatePayload
    }),
    payloadSchema: workflow.payloadSchema,
    isTranslationEnabled: workflow.isTranslationEnabled,
    severity: workflow.severity,
    origin: workflow.origin,
    status: workflow.status,
    preferences: {
      user: workflow.preferences.user,
      default: workflow.preferences.workflow
    },
    createdAt: workflow.createdAt,
    updatedAt: workflow.updatedAt,
    lastPublishedAt: workflow.lastPublishedAt,
    lastTriggeredAt: null,
    payloadExample: {},
    steps: workflow.steps.map((step) => stepResponse(workflow, step))
  }
}

export function workflowListItem(workflow: StoredWorkflow) {
  return {
    _id: workflow._id,
    workflowId: workflow.workflowId,
    slug: slug(workflow.name, 'wf', workflow._id),
    name: workflow.name,
    tags: workflow.tags,
    status: workflow.status,
    origin: workflow.origin,
    isTranslationEnabled: workflow.isTranslationEnabled,
    createdAt: workflow.createdAt,
    updatedAt: workflow.updatedAt,
    lastPublishedAt: workflow.lastPublishedAt,
    lastTriggeredAt: null,
    stepTypeOverviews: workflow.steps.map((step) => step.type),
    steps: workflow.steps.map((step) => ({
      slug: slug(step.name, 'st', step._id),
      type: step.type,
      ...(step.issues && { issues: step.issues })
    }))
  }
}

export function environmentResponse(env: Environment, organizationId: string) {
  return {
    _id: env._id,
    name: env.name,
    identifier: env.identifier,
    _organizationId: organizationId,
    ...(env.parentId && { _parentId: env.parentId }),
    type: env.type,
    slug: slugify(env.name),
    apiKeys: []
  }
}
