import type {
  Environment,
  RemoteWorkflow,
  WorkflowDefinition
} from '../model.js'

/**
 * What the engine needs from Novu, in the engine's own terms. The real
 * implementation (`client.ts`) talks to Novu's API through `@novu/api`;
 * the planner and the phases only ever see this interface.
 *
 * Every method throws a `NovuApiError` (see `errors.ts`) on failure,
 * already classified and with a readable message.
 */
export interface NovuGateway {
  /** The environment the secret key belongs to (`GET /v1/environments/me`). */
  currentEnvironment(): Promise<Environment>

  /** Every environment of the organisation (`GET /v1/environments`). */
  listEnvironments(): Promise<Environment[]>

  /**
   * One workflow, from the key's environment or, with `environmentId`,
   * from another environment of the same organisation. `null` when Novu
   * says the workflow does not exist; a 404 for a missing route throws.
   */
  getWorkflow(
    workflowId: string,
    environmentId?: string
  ): Promise<RemoteWorkflow | null>

  /**
   * Creates the workflow and returns it as saved. Throws when Novu saved
   * it under another `workflowId` (a suffixed duplicate).
   */
  createWorkflow(definition: WorkflowDefinition): Promise<RemoteWorkflow>

  /**
   * Replaces the workflow with the definition. Steps are matched to
   * `current` by `stepId` and carry its internal ids, so they keep their
   * identity; steps absent from the definition are deleted by Novu.
   */
  updateWorkflow(
    definition: WorkflowDefinition,
    current: RemoteWorkflow
  ): Promise<RemoteWorkflow>

  /**
   * Copies the key's version of the workflow into the target. A sync can
   * succeed while the copy it made is in error: then the target's copy is
   * returned, with Novu's issues; otherwise `undefined`.
   */
  syncWorkflow(
    workflowId: string,
    targetEnvironmentId: string
  ): Promise<RemoteWorkflow | undefined>

  /** Every workflow of the key's environment (all pages of the list). */
  listWorkflows(): Promise<WorkflowSummary[]>

  /** Deletes the workflow; one that is already gone counts as deleted. */
  deleteWorkflow(workflowId: string): Promise<void>

  /**
   * How each workflow of the target environment differs from the key's
   * (`POST /v2/environments/{targetId}/diff`), keyed by workflowId. Novu
   * leaves out workflows that are equal in both, so an id absent from the
   * map is unchanged (or held by neither).
   */
  diffEnvironment(
    targetEnvironmentId: string
  ): Promise<Map<string, EnvironmentDiffState>>
}

/** A workflow as the list of workflows shows it. */
export interface WorkflowSummary {
  workflowId: string
  name: string
  /** `novu-cloud` for workflows the API may manage. */
  origin: string
  /** Absent when the server's list leaves tags out. */
  tags?: string[]
  updatedAt?: string
}

/** What promoting a workflow to the target would do to it. */
export type EnvironmentDiffState =
  'added' | 'modified' | 'deleted' | 'unchanged'
