/**
 * The engine's shared vocabulary: definitions read from the repository,
 * workflows as Novu holds them, and the result of a run. Nothing here
 * knows about GitHub; the action glue and any CLI read the same model.
 */

export const STEP_TYPES = [
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
] as const
export type StepType = (typeof STEP_TYPES)[number]

export const CHANNELS = ['in_app', 'email', 'sms', 'chat', 'push'] as const
export type Channel = (typeof CHANNELS)[number]

export const SEVERITIES = ['high', 'medium', 'low', 'none'] as const
export type Severity = (typeof SEVERITIES)[number]

export interface ChannelPreference {
  enabled: boolean
}

export interface PreferenceSet {
  all: { enabled: boolean; readOnly?: boolean }
  channels: Partial<Record<Channel, ChannelPreference>>
}

export interface WorkflowPreferences {
  workflow?: PreferenceSet
  user?: PreferenceSet | null
}

export interface StepDefinition {
  stepId: string
  name: string
  type: StepType
  controlValues: Record<string, unknown>
}

/**
 * A workflow as the repository wants it, after validation and
 * normalisation: every field the action sends is present, so that nothing
 * is left for the SDK or the server to fill in with a default of its own.
 */
export interface WorkflowDefinition {
  workflowId: string
  name: string
  description: string
  tags: string[]
  active: boolean
  validatePayload: boolean
  payloadSchema: Record<string, unknown> | null
  preferences: WorkflowPreferences | null
  severity: Severity
  isTranslationEnabled: boolean
  steps: StepDefinition[]
}

/** Where a definition came from, so that errors can point at it. */
export interface DefinitionSource {
  /** Path relative to the working directory, with forward slashes. */
  file: string
  /** 1-based line of the workflow's first key, for annotations. */
  line: number
  /**
   * 1-based line of a field inside the file, by its path in the document
   * (`steps.1.controlValues.subject`); the nearest enclosing node's line
   * when the exact field is absent.
   */
  lineOf(path: ReadonlyArray<string | number>): number
}

export interface LoadedDefinition {
  definition: WorkflowDefinition
  source: DefinitionSource
}

/** One problem in one definition file. */
export interface DefinitionProblem {
  file: string
  line: number
  column?: number
  /** Dotted path of the offending field, `steps[1].type`; empty for file. */
  field: string
  workflowId?: string
  stepId?: string
  message: string
}

/** Novu's verdict on a saved workflow or step (content problems). */
export interface ContentIssue {
  stepId?: string
  field?: string
  message: string
}

/** A step as Novu returns it, reduced to what the engine compares. */
export interface RemoteStep {
  /** Internal id (`_id`); updates must carry it to keep the step. */
  internalId: string
  stepId: string
  name: string
  type: string
  controlValues: Record<string, unknown>
}

/**
 * A workflow as Novu holds it in one environment: the definition's fields,
 * with Novu's own identity and verdict beside them.
 */
export interface RemoteWorkflow extends Omit<WorkflowDefinition, 'steps'> {
  internalId: string
  steps: RemoteStep[]
  /** `novu-cloud` for workflows the API may manage. */
  origin: string
  /** `ACTIVE`, `INACTIVE` or `ERROR`. */
  status: string
  issues: ContentIssue[]
  updatedAt?: string
}

export interface Environment {
  id: string
  name: string
  identifier: string
  type?: string
  /** Set on every environment but Development, which is their parent. */
  parentId?: string
}

export type DevelopmentOutcome =
  | 'created'
  | 'updated'
  | 'unchanged'
  | 'failed'
  | 'skipped'
  /** Plan mode: what a deploy would do, nothing written. */
  | 'would-create'
  | 'would-update'
  /** Pruned: managed here, its definition file is gone. */
  | 'deleted'
  | 'would-delete'

export type PromotionOutcome =
  | 'synced'
  | 'in-sync'
  | 'failed'
  | 'skipped'
  | 'would-sync'
  /** Deleted from Development but still held here: sync never deletes. */
  | 'orphaned'

/** A field that differs, for plans and for logs. */
export interface FieldChange {
  path: string
  before: unknown
  after: unknown
}

export interface DevelopmentResult {
  outcome: DevelopmentOutcome
  changes: FieldChange[]
  /** Set when outcome is failed or skipped. */
  reason?: string
  issues: ContentIssue[]
}

export interface PromotionResult {
  environment: string
  outcome: PromotionOutcome
  changes: FieldChange[]
  reason?: string
  issues: ContentIssue[]
}

export interface WorkflowResult {
  workflowId: string
  name: string
  /** Absent for workflows promoted without a definition (sync mode). */
  file?: string
  line?: number
  development?: DevelopmentResult
  promotions: PromotionResult[]
}

export type Mode = 'validate' | 'plan' | 'upsert' | 'sync' | 'deploy' | 'export'

export interface RunResult {
  mode: Mode
  apiUrl?: string
  /** Target environments in promotion order, by display name. */
  targets: string[]
  workflows: WorkflowResult[]
  problems: DefinitionProblem[]
  /** Run-level failures (bad key, wrong URL) that stopped the run. */
  fatal?: string
  counts: RunCounts
  /** Anything created, updated or synced (in a plan: would be). */
  hasChanges: boolean
  /** What the run cost in requests; absent when nothing was sent. */
  requests?: RequestStats
  startedAt: string
  durationMs: number
  /** Export mode: the files written from Development. */
  export?: ExportResult
}

export interface RunCounts {
  created: number
  updated: number
  unchanged: number
  synced: number
  /** Workflows deleted from Development by prune. */
  deleted: number
  failed: number
}

/** Counts of a run that has not done anything yet. */
export function noCounts(): RunCounts {
  return {
    created: 0,
    updated: 0,
    unchanged: 0,
    synced: 0,
    deleted: 0,
    failed: 0
  }
}

export type ExportFormat = 'yaml' | 'json'

export type ExportOutcome =
  /** A new file. */
  | 'written'
  /** The workflow's existing file, replaced with Development's copy. */
  | 'rewritten'
  | 'unchanged'
  | 'skipped'
  | 'failed'

export interface ExportedWorkflow {
  workflowId: string
  /** Relative to the working directory, with forward slashes. */
  file?: string
  outcome: ExportOutcome
  reason?: string
  /** What the file could not carry over, such as a control it has no key for. */
  notes: string[]
}

export interface ExportResult {
  /** Relative to the working directory, with forward slashes. */
  directory: string
  format: ExportFormat
  workflows: ExportedWorkflow[]
}

export interface RequestStats {
  requests: number
  writes: number
  /** Responses with status 429. */
  throttled: number
  /** Requests sent again after a retryable failure. */
  retried: number
}
