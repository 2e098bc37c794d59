/**
 * From a validated file to the definition the engine sends. Every field is
 * written out with an explicit value, because the SDK and the server fill
 * omitted ones with defaults of their own (an update without `active`
 * would switch the workflow off).
 */
import type {
  StepDefinition,
  WorkflowDefinition,
  WorkflowPreferences
} from '../model.js'
import { isMailyBody } from './checks.js'
import type { DefinitionFile } from './schema.js'

type StepFile = DefinitionFile['steps'][number]

export function normaliseDefinition(file: DefinitionFile): WorkflowDefinition {
  return {
    workflowId: file.workflowId,
    name: file.name,
    description: file.description ?? '',
    tags: [...(file.tags ?? [])],
    active: file.active ?? true,
    validatePayload: file.validatePayload ?? false,
    payloadSchema: file.payloadSchema
      ? structuredClone(file.payloadSchema)
      : null,
    preferences: file.preferences
      ? structuredClone<WorkflowPreferences>(file.preferences)
      : null,
    severity: file.severity ?? 'none',
    isTranslationEnabled: file.isTranslationEnabled ?? false,
    steps: file.steps.map(normaliseStep)
  }
}

function normaliseStep(step: StepFile): StepDefinition {
  const controlValues = structuredClone(
    (step.controlValues ?? {}) as Record<string, unknown>
  )

  // The SDK sends `editorType: "block"` when it is absent, and Novu then
  // blanks a body that is HTML; decide from the body instead.
  if (step.type === 'email' && controlValues.editorType === undefined) {
    controlValues.editorType = isMailyBody(controlValues.body)
      ? 'block'
      : 'html'
  }

  return {
    stepId: step.stepId,
    name: step.name,
    type: step.type,
    controlValues
  }
}
