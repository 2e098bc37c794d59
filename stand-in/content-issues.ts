export interface ContentIssue {
  issueType: 'MISSING_VALUE'
  variableName?: string
  message: string
}

export interface StepIssues {
  controls?: Record<string, ContentIssue[]>
}

export type WorkflowStatus = 'ACTIVE' | 'INACTIVE' | 'ERROR'

// The controls without which Novu marks a step as broken. Novu checks many
// more (liquid syntax, URLs, tier limits); these are the common cases that a
// definition file can get wrong by leaving a key out.
const requiredControls: Record<string, string[]> = {
  email: ['subject', 'body'],
  in_app: ['body'],
  sms: ['body'],
  chat: ['body'],
  push: ['subject', 'body'],
  delay: ['amount', 'unit'],
  digest: ['amount', 'unit']
}

function isMissing(value: unknown): boolean {
  return value === undefined || value === null || value === ''
}

function label(field: string): string {
  return field.charAt(0).toUpperCase() + field.slice(1)
}

export function stepIssues(
  type: string,
  controlValues: Record<string, unknown>
): StepIssues | undefined {
  let required = requiredControls[type] ?? []

  // A scheduled digest or delay runs on a cron and needs no amount or unit.
  if (
    (type === 'digest' || type === 'delay') &&
    !isMissing(controlValues.cron)
  ) {
    required = []
  }

  const controls: Record<string, ContentIssue[]> = {}
  for (const field of required) {
    if (isMissing(controlValues[field])) {
      controls[field] = [
        {
          issueType: 'MISSING_VALUE',
          variableName: field,
          message: `${label(field)} is required`
        }
      ]
    }
  }

  return Object.keys(controls).length > 0 ? { controls } : undefined
}

// An inactive workflow reports INACTIVE even with broken steps, as Novu does.
export function workflowStatus(
  active: boolean,
  steps: { issues?: StepIssues }[]
): WorkflowStatus {
  if (!active) return 'INACTIVE'
  return steps.some((step) => step.issues) ? 'ERROR' : 'ACTIVE'
}
