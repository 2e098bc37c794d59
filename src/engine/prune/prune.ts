/**
 * Prune: deleting from Development the workflows this repository manages
 * whose definition file is gone. A workflow is this repository's only when
 * it carries this repository's ownership tag, so workflows made in the
 * dashboard or written by another repository are never touched.
 */
import type { Environment, PromotionResult, WorkflowResult } from '../model.js'
import type { NovuGateway, WorkflowSummary } from '../novu/gateway.js'
import type { EngineLogger } from '../run.js'
import type { EngineSettings } from '../settings.js'
import { managerOf } from './ownership.js'

/** Runs one piece of work within the run's concurrency limit. */
export type Limit = <T>(work: () => Promise<T>) => Promise<T>

export interface PruneOptions {
  settings: EngineSettings
  logger: EngineLogger
  gateway: NovuGateway
  /** Ids with a definition file in this run. */
  managedIds: ReadonlySet<string>
  /** Development's workflows, as the run already listed them. */
  listed: Promise<WorkflowSummary[]>
  /** Environments that received this repository's workflows. */
  targets: Environment[]
  limit: Limit
}

/**
 * Why this run must not prune although asked to; `undefined` when it may.
 * A partial view of the files would read as deletions, so only a run
 * that loaded every definition prunes.
 */
export function pruneBlocker(settings: EngineSettings): string | undefined {
  if (settings.prune !== true) return undefined
  if (settings.mode === 'sync' || settings.mode === 'validate') {
    return `mode "${settings.mode}" does not write Development`
  }
  if (settings.workflowIds.length > 0) {
    return (
      'the run is filtered by "workflow-ids", so files outside the ' +
      'filter would look deleted; run without "workflow-ids" to prune'
    )
  }
  if ((settings.manager ?? '') === '') {
    return (
      '"manager" is empty, so no workflow can be told apart as this ' +
      'repository\'s; set "manager" (the action defaults it to the ' +
      'repository, such as "owner/repo")'
    )
  }
  return undefined
}

/**
 * Deletes (or, in a plan, lists) the managed workflows without a file,
 * and reports each target that still holds a copy, since Novu's sync
 * never deletes. Returns one result per such workflow.
 */
export async function pruneDevelopment(
  options: PruneOptions
): Promise<WorkflowResult[]> {
  const { gateway, logger, settings, managedIds, limit } = options
  const manager = settings.manager ?? ''
  const plan = settings.mode === 'plan'

  const listed = await options.listed
  // Code-first workflows cannot be changed through the API, so they can
  // carry no ownership tag of ours.
  const unlisted = listed.filter(
    (workflow) =>
      !managedIds.has(workflow.workflowId) && workflow.origin === 'novu-cloud'
  )
  // The list carries tags; only a server whose list leaves them out costs
  // one read per workflow without a file.
  const owned: Owned[] = unlisted.filter(
    (workflow) =>
      workflow.tags !== undefined && managerOf(workflow.tags) === manager
  )
  const untagged = unlisted.filter((workflow) => workflow.tags === undefined)
  const held = await Promise.all(
    untagged.map((workflow) =>
      limit(() => gateway.getWorkflow(workflow.workflowId))
    )
  )
  for (const workflow of held) {
    if (workflow !== null && managerOf(workflow.tags) === manager) {
      owned.push(workflow)
    }
  }
  const others = unlisted.length - owned.length
  logger.info(
    `Prune: ${owned.length} workflow(s) managed by "${manager}" have no ` +
      `definition file; ${others} other workflow(s) without a file are ` +
      'not managed by this repository and stay.'
  )

  const results = await Promise.all(
    owned.map((workflow) => limit(() => prune(workflow, plan, options)))
  )
  return results.sort((a, b) => a.workflowId.localeCompare(b.workflowId))
}

/** What deleting a workflow needs to know of it. */
type Owned = Pick<WorkflowSummary, 'workflowId' | 'name'>

async function prune(
  workflow: Owned,
  plan: boolean,
  options: PruneOptions
): Promise<WorkflowResult> {
  const { gateway, logger } = options
  const id = workflow.workflowId
  const result: WorkflowResult = {
    workflowId: id,
    name: workflow.name,
    promotions: [],
    development: {
      outcome: plan ? 'would-delete' : 'deleted',
      changes: [],
      issues: [],
      reason: 'managed by this repository, and no definition file has it'
    }
  }

  if (plan) {
    logger.info(`"${id}": would be deleted; no definition file has it`)
  } else {
    try {
      await gateway.deleteWorkflow(id)
      logger.info(`"${id}": deleted; no definition file has it`)
    } catch (error) {
      const reason =
        `Could not delete workflow "${id}" from Development: ` +
        `${messageOf(error)} It stays; run again, or delete it in Novu.`
      result.development = {
        outcome: 'failed',
        changes: [],
        issues: [],
        reason
      }
      logger.warning(`"${id}": ${reason}`)
      return result
    }
  }

  for (const target of options.targets) {
    const orphan = await orphanIn(id, target, options)
    if (orphan !== undefined) result.promotions.push(orphan)
  }
  return result
}

/** A target's copy outlives the Development one: sync never deletes. */
async function orphanIn(
  id: string,
  target: Environment,
  { gateway, logger, settings }: PruneOptions
): Promise<PromotionResult | undefined> {
  // Already inside the caller's slot of the limit: taking another could
  // wait for ever once every slot is held.
  try {
    const copy = await gateway.getWorkflow(id, target.id)
    if (copy === null) return undefined
  } catch (error) {
    logger.warning(
      `"${id}": could not check whether ${target.name} holds a copy: ` +
        messageOf(error)
    )
    return undefined
  }
  // A plan deletes nothing yet, so it says what will be left, not what is.
  const reason =
    settings.mode === 'plan'
      ? `${target.name} would keep its copy: Novu's sync never deletes. ` +
        `After the deploy, delete "${id}" in ${target.name} by hand if it ` +
        'is no longer sent.'
      : `${target.name} keeps its copy: Novu's sync never deletes. Delete ` +
        `"${id}" in ${target.name} by hand if it is no longer sent.`
  logger.warning(`"${id}": ${reason}`)
  return {
    environment: target.name,
    outcome: 'orphaned',
    changes: [],
    issues: [],
    reason
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
