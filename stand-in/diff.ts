import type { Environment, StoredWorkflow } from './store.js'
import { deepEqual } from './ids.js'
import { workflowResponse } from './wire.js'

// The body of POST /v2/environments/{targetId}/diff as Novu's server sends
// it (inside { data }):
//
//   { sourceEnvironmentId, targetEnvironmentId,
//     resources: [{
//       resourceType: 'workflow',
//       sourceResource: { id: workflowId, name, updatedBy, updatedAt } | null,
//       targetResource: same | null,
//       changes: [{
//         resourceType: 'workflow' | 'step', action,
//         sourceResource, targetResource,  (for steps, id is the stepId)
//         diffs?: { previous, new },       (whole normalised objects)
//         stepType?, previousIndex?, newIndex?
//       }],
//       summary: { added, modified, deleted, unchanged } }],
//     summary: { totalEntities, totalChanges, hasChanges } }
//
// action is 'added' | 'modified' | 'deleted' | 'unchanged' | 'moved'; a
// move counts as modified in the summary. Only workflows of origin
// novu-cloud and status other than ERROR take part, on both sides, and a
// workflow without changes gets no entry. The SDK's model of this body
// expects other resourceType values, so clients read it raw.

type Resource = {
  id: string
  name: string
  updatedBy: null
  updatedAt: string | null
}

interface Change {
  resourceType: 'workflow' | 'step'
  action: 'added' | 'modified' | 'deleted' | 'moved'
  sourceResource: Resource | null
  targetResource: Resource | null
  diffs?: { previous: unknown; new: unknown }
  stepType?: string
  previousIndex?: number
  newIndex?: number
}

function info(workflow: StoredWorkflow): Resource {
  return {
    id: workflow.workflowId,
    name: workflow.name,
    updatedBy: null,
    updatedAt: workflow.updatedAt
  }
}

function stepInfo(step: { stepId: string; name: string }): Resource {
  return { id: step.stepId, name: step.name, updatedBy: null, updatedAt: null }
}

// Fields the server fills in itself are left out of the comparison.
const serverFilled = new Set([
  '_id',
  'slug',
  'createdAt',
  'updatedAt',
  'origin',
  'status',
  'issues',
  'lastTriggeredAt',
  'lastPublishedAt',
  'payloadExample',
  'steps'
])

function normalise(workflow: StoredWorkflow) {
  const response: Record<string, unknown> = workflowResponse(workflow)
  return {
    fields: Object.fromEntries(
      Object.entries(response).filter(([key]) => !serverFilled.has(key))
    ),
    steps: workflow.steps.map((step) => ({
      stepId: step.stepId,
      name: step.name,
      type: step.type,
      controlValues: step.controlValues
    }))
  }
}

function summarise(changes: Change[]) {
  const summary = { added: 0, modified: 0, deleted: 0, unchanged: 0 }
  for (const change of changes) {
    if (change.action === 'added') summary.added += 1
    else if (change.action === 'deleted') summary.deleted += 1
    else summary.modified += 1
  }
  return summary
}

function compare(source: StoredWorkflow, target: StoredWorkflow): Change[] {
  const from = normalise(source)
  const to = normalise(target)
  const changes: Change[] = []

  if (!deepEqual(to.fields, from.fields)) {
    changes.push({
      resourceType: 'workflow',
      action: 'modified',
      sourceResource: info(source),
      targetResource: info(target),
      diffs: { previous: to.fields, new: from.fields }
    })
  }

  const targetSteps = new Map(
    to.steps.map((step, index) => [step.stepId, { step, index }])
  )
  const seen = new Set<string>()
  from.steps.forEach((step, index) => {
    seen.add(step.stepId)
    const match = targetSteps.get(step.stepId)
    if (!match) {
      changes.push({
        resourceType: 'step',
        action: 'added',
        sourceResource: stepInfo(step),
        targetResource: null,
        stepType: step.type,
        newIndex: index,
        diffs: { previous: null, new: step }
      })
    } else if (!deepEqual(match.step, step)) {
      changes.push({
        resourceType: 'step',
        action: 'modified',
        sourceResource: stepInfo(step),
        targetResource: stepInfo(match.step),
        stepType: step.type,
        previousIndex: match.index,
        newIndex: index,
        diffs: { previous: match.step, new: step }
      })
    } else if (match.index !== index) {
      changes.push({
        resourceType: 'step',
        action: 'moved',
        sourceResource: stepInfo(step),
        targetResource: stepInfo(match.step),
        stepType: step.type,
        previousIndex: match.index,
        newIndex: index
      })
    }
  })
  to.steps.forEach((step, index) => {
    if (seen.has(step.stepId)) return
    changes.push({
      resourceType: 'step',
      action: 'deleted',
      sourceResource: null,
      targetResource: stepInfo(step),
      stepType: step.type,
      previousIndex: index,
      diffs: { previous: step, new: null }
    })
  })
  return changes
}

function syncable(env: Environment): Map<string, StoredWorkflow> {
  return new Map(
    [...env.workflows.values()]
      .filter((wf) => wf.origin === 'novu-cloud' && wf.status !== 'ERROR')
      .map((wf) => [wf.workflowId, wf])
  )
}

export function environmentDiff(source: Environment, target: Environment) {
  const sources = syncable(source)
  const targets = syncable(target)
  const resources = []

  for (const workflow of sources.values()) {
    const existing = targets.get(workflow.workflowId)
    const changes: Change[] = existing
      ? compare(workflow, existing)
      : [
          {
            resourceType: 'workflow',
            action: 'added',
            sourceResource: info(workflow),
            targetResource: null
          }
        ]
    if (changes.length === 0) continue
    resources.push({
      resourceType: 'workflow',
      sourceResource: info(workflow),
      targetResource: existing ? info(existing) : null,
      changes,
      summary: summarise(changes)
    })
  }

  for (const workflow of targets.values()) {
    if (sources.has(workflow.workflowId)) continue
    const changes: Change[] = [
      {
        resourceType: 'workflow',
        action: 'deleted',
        sourceResource: null,
        targetResource: info(workflow)
      }
    ]
    resources.push({
      resourceType: 'workflow',
      sourceResource: null,
      targetResource: info(workflow),
      changes,
      summary: summarise(changes)
    })
  }

  const totalChanges = resources.reduce(
    (sum, r) => sum + r.summary.added + r.summary.modified + r.summary.deleted,
    0
  )
  return {
    sourceEnvironmentId: source._id,
    targetEnvironmentId: target._id,
    resources,
    summary: {
      totalEntities: resources.length,
      totalChanges,
      hasChanges: totalChanges > 0
    }
  }
}
