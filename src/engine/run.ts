import pLimit from 'p-limit'
import { commaHint, loadDefinitions } from './definitions/load.js'
import { closest } from './definitions/suggest.js'
import type {
  ContentIssue,
  DefinitionProblem,
  Environment,
  FieldChange,
  LoadedDefinition,
  PromotionResult,
  RemoteWorkflow,
  RunCounts,
  RunResult,
  WorkflowDefinition,
  WorkflowResult
} from './model.js'
import { noCounts } from './model.js'
import { exportWorkflows } from './export/export.js'
import { managerOf, withOwnership } from './prune/ownership.js'
import { pruneBlocker, pruneDevelopment } from './prune/prune.js'
import { createNovuGateway } from './novu/client.js'
import { NovuApiError } from './novu/errors.js'
import type { NovuGateway, WorkflowSummary } from './novu/gateway.js'
import { asDefinition, compareWorkflow } from './plan/compare.js'
import type { EngineSettings } from './settings.js'

/** Where the engine reports progress; the action maps it to @actions/core. */
export interface EngineLogger {
  info(message: string): void
  warning(message: string): void
  debug(message: string): void
  /** Runs `work` inside a collapsible log group named `name`. */
  group<T>(name: string, work: () => Promise<T>): Promise<T>
}

export interface EngineDependencies {
  /** A gateway to use instead of one built from the settings. */
  gateway?: NovuGateway & { stats?(): RunResult['requests'] }
}

/** A failure that ends the run: bad key, wrong URL, unknown target. */
export class RunStoppedError extends Error {
  override name = 'RunStoppedError'
}

/** The only origin whose workflows Novu lets the API change and sync. */
const MANAGEABLE_ORIGIN = 'novu-cloud'

/** Engine-side cap on workflows worked on at once in `auto` mode. */
const AUTO_TASKS = 32

interface Entry {
  result: WorkflowResult
  definition?: WorkflowDefinition
  /** Development's copy after the Development phase. */
  developmentCopy?: RemoteWorkflow
  failed: boolean
}

/**
 * Runs one mode of the action from start to end and returns what it did.
 * It does not throw: every failure, run-level or per workflow, is in the
 * result.
 */
export async function runEngine(
  settings: EngineSettings,
  logger: EngineLogger,
  dependencies: EngineDependencies = {}
): Promise<RunResult> {
  const startedAt = new Date()
  // Counts first: the JSON report keeps this order, and a reader of a
  // report with a thousand workflows wants the totals at the top.
  const result: RunResult = {
    mode: settings.mode,
    counts: noCounts(),
    hasChanges: false,
    targets: [],
    workflows: [],
    problems: [],
    startedAt: startedAt.toISOString(),
    durationMs: 0
  }
  if (settings.mode !== 'validate') result.apiUrl = settings.apiUrl
  let gateway = dependencies.gateway

  try {
    const definitions =
      settings.mode === 'export'
        ? []
        : await loadPhase(settings, logger, result)
    if (definitions === undefined) return result
    if (settings.mode === 'sync' && settings.targetEnvironments.length === 0) {
      throw new RunStoppedError(
        'Mode "sync" promotes workflows but "target-environments" is ' +
          'empty. Name the environments to promote to, such as ' +
          '"Production".'
      )
    }
    if (settings.mode === 'validate') {
      // Listed so that reports can say which files were checked.
      result.workflows = definitions.map(({ definition, source }) => ({
        workflowId: definition.workflowId,
        name: definition.name,
        file: source.file,
        line: source.line,
        promotions: []
      }))
      return result
    }

    const novu =
      gateway ??
      createNovuGateway({
        apiUrl: settings.apiUrl,
        secretKey: settings.secretKey,
        concurrency: settings.concurrency,
        timeoutMs: settings.requestTimeoutMs,
        retryBudgetMs: settings.retryBudgetMs,
        logger
      })
    gateway = novu
    if (settings.mode === 'export') {
      await developmentSource(novu, logger)
      result.export = await exportWorkflows(settings, logger, novu)
      return result
    }
    const run = new Run(settings, logger, novu, result)
    await run.start(definitions)
  } catch (error) {
    // Whatever ends the run early (a run-level read that failed after its
    // retries, or a stop on purpose) ends up in the result, so that the
    // summary, the report and the comment still say what happened.
    if (!isRunStopping(error) && !(error instanceof NovuApiError)) {
      logger.debug(`Unexpected failure: ${String((error as Error).stack)}`)
    }
    result.fatal = messageOf(error)
  } finally {
    result.requests = gateway?.stats?.()
    result.counts = countResults(result)
    result.hasChanges = hasChanges(result)
    result.durationMs = Date.now() - startedAt.getTime()
  }
  return result
}

/**
 * The key's environment, which must be Development: every write starts
 * there and reaches other environments only through sync.
 */
async function developmentSource(
  gateway: NovuGateway,
  logger: EngineLogger
): Promise<Environment> {
  const source = await gateway.currentEnvironment()
  logger.info(`The secret key belongs to environment "${source.name}"`)
  if (source.parentId !== undefined) {
    throw new RunStoppedError(
      `The secret key belongs to environment "${source.name}", not to ` +
        'Development. Workflows are edited in Development and promoted ' +
        'from it: use the Development secret key, and name ' +
        `"${source.name}" in "target-environments" to promote to it.`
    )
  }
  return source
}

/** Loads definitions; `undefined` when the run must stop here. */
async function loadPhase(
  settings: EngineSettings,
  logger: EngineLogger,
  result: RunResult
): Promise<LoadedDefinition[] | undefined> {
  // A promotion of named ids copies what Development holds; it needs no
  // files, so a release job can run it from any checkout.
  if (settings.mode === 'sync' && settings.workflowIds.length > 0) {
    logger.info(
      `Mode "sync" with workflow ids: promoting what Development holds; ` +
        'definition files are not read.'
    )
    return []
  }

  return logger.group('Loading definitions', async () => {
    const outcome = await loadDefinitions({
      cwd: settings.cwd,
      globs: settings.workflowGlobs,
      workflowIds: settings.workflowIds
    })
    logger.info(
      `Found ${outcome.files.length} definition file(s) matching ` +
        settings.workflowGlobs.map((glob) => `"${glob}"`).join(', ')
    )
    result.problems = outcome.problems
    for (const problem of outcome.problems) logger.debug(describe(problem))

    if (outcome.problems.length > 0) {
      result.fatal =
        `${outcome.problems.length} problem(s) in the definition files ` +
        'or the inputs that choose them; nothing was sent to Novu. Fix ' +
        'each one listed with its file and line, and run again.'
      return undefined
    }
    if (outcome.files.length === 0) {
      result.fatal =
        'No definition files matched ' +
        settings.workflowGlobs.map((glob) => `"${glob}"`).join(', ') +
        '. Check the "workflows" input; globs are relative to the ' +
        'repository root.' +
        (settings.workflowGlobs.map(commaHint).find(Boolean) ?? '')
      return undefined
    }
    logger.info(
      `Loaded ${outcome.definitions.length} workflow(s): ` +
        outcome.definitions
          .map((loaded) => `"${loaded.definition.workflowId}"`)
          .join(', ')
    )
    return outcome.definitions
  })
}

class Run {
  private readonly limit: ReturnType<typeof pLimit>
  private stopped?: string
  /** Development's list of workflows, asked for as the run starts. */
  private listing?: Promise<WorkflowSummary[]>

  constructor(
    private readonly settings: EngineSettings,
    private readonly logger: EngineLogger,
    private readonly gateway: NovuGateway,
    private readonly result: RunResult
  ) {
    const tasks =
      settings.concurrency === 'auto' ? AUTO_TASKS : settings.concurrency
    this.limit = pLimit(tasks)
  }

  async start(definitions: LoadedDefinition[]): Promise<void> {
    const { mode } = this.settings
    // Independent reads, asked together so that they cost one round trip.
    // The list is awaited by the Development phase; its failure goes
    // unheard only when the run stops first for another reason.
    if (mode !== 'sync') this.listing = this.gateway.listWorkflows()
    this.listing?.catch(() => undefined)
    const targets = await this.resolveTargets(
      developmentSource(this.gateway, this.logger)
    )
    this.result.targets = targets.map((target) => target.name)

    const entries = this.entriesFor(definitions)
    if (mode === 'sync') {
      await this.logger.group('Reading Development', () =>
        this.readDevelopment(entries)
      )
    } else {
      const title =
        mode === 'plan' ? 'Comparing with Development' : 'Updating Development'
      await this.logger.group(title, () => this.developmentPhase(entries))
    }

    const blocker = pruneBlocker(this.settings)
    if (blocker !== undefined) {
      this.logger.info(`Not pruning: ${blocker}.`)
    } else if (this.settings.prune === true) {
      await this.logger.group('Pruning Development', () =>
        this.prunePhase(entries, mode === 'upsert' ? [] : targets)
      )
    }

    if (mode === 'upsert') return
    for (const target of targets) {
      const title =
        mode === 'plan'
          ? `Comparing Development with ${target.name}`
          : `Syncing to ${target.name}`
      await this.logger.group(title, () => this.promotionPhase(entries, target))
    }
  }

  /**
   * Target environments in promotion order. `checked` is the key's
   * environment, still on its way: the list of environments is asked for
   * beside it rather than after it.
   */
  private async resolveTargets(
    checked: Promise<Environment>
  ): Promise<Environment[]> {
    const wanted = this.settings.targetEnvironments
    const listed =
      wanted.length > 0 && this.settings.mode !== 'upsert'
        ? this.gateway.listEnvironments()
        : undefined
    listed?.catch(() => undefined)
    const source = await checked
    if (wanted.length === 0) {
      if (this.settings.mode === 'deploy') {
        this.logger.info(
          'No "target-environments" given: workflows stay in Development.'
        )
      }
      return []
    }
    if (this.settings.mode === 'upsert') {
      this.logger.info(
        'Mode "upsert" writes Development only; "target-environments" ' +
          'is ignored.'
      )
      return []
    }

    const environments = await (listed ?? this.gateway.listEnvironments())
    const targets: Environment[] = []
    for (const name of wanted) {
      const match = environments.find(
        (environment) =>
          environment.id === name ||
          environment.identifier === name ||
          environment.name.toLowerCase() === name.toLowerCase()
      )
      if (match === undefined) {
        const names = environments.map((e) => e.name)
        const guess = closest(name, names)
        throw new RunStoppedError(
          `Target environment "${name}" does not exist. This organisation ` +
            `has ${names.map((n) => `"${n}"`).join(', ')}; fix ` +
            '"target-environments"' +
            (guess ? ` (did you mean "${guess}"?).` : '.')
        )
      }
      if (match.id === source.id) {
        throw new RunStoppedError(
          `Target environment "${name}" is the environment of the secret ` +
            'key, which is the source of every sync. Remove it from ' +
            '"target-environments".'
        )
      }
      if (targets.some((target) => target.id === match.id)) continue
      targets.push(match)
    }
    this.logger.info(
      `Promotion order: ${targets.map((t) => `"${t.name}"`).join(' → ')}`
    )
    return targets
  }

  private entriesFor(definitions: LoadedDefinition[]): Entry[] {
    const entries: Entry[] =
      definitions.length > 0
        ? definitions.map(({ definition, source }) => ({
            definition,
            failed: false,
            result: {
              workflowId: definition.workflowId,
              name: definition.name,
              file: source.file,
              line: source.line,
              promotions: []
            }
          }))
        : this.settings.workflowIds.map((workflowId) => ({
            failed: false,
            result: { workflowId, name: workflowId, promotions: [] }
          }))
    this.result.workflows = entries.map((entry) => entry.result)
    return entries
  }

  /** Deletions come first in every report: they are the surprise. */
  private async prunePhase(
    entries: Entry[],
    targets: Environment[]
  ): Promise<void> {
    const pruned = await pruneDevelopment({
      settings: this.settings,
      logger: this.logger,
      gateway: this.gateway,
      managedIds: new Set(entries.map((entry) => entry.result.workflowId)),
      listed: this.listing ?? this.gateway.listWorkflows(),
      targets,
      limit: this.limit
    })
    this.result.workflows.unshift(...pruned)
  }

  private async developmentPhase(entries: Entry[]): Promise<void> {
    const existing = await this.existingWorkflows(entries)
    await Promise.all(
      entries.map((entry) =>
        this.task(entry, 'development', () =>
          this.applyToDevelopment(entry, existing)
        )
      )
    )
  }

  /**
   * Which workflow ids Development holds, from its list: one request per
   * hundred workflows instead of one failed read per new workflow.
   */
  private async existingWorkflows(entries: Entry[]): Promise<Set<string>> {
    const listed = await (this.listing ?? this.gateway.listWorkflows())
    const ids = new Set(listed.map((workflow) => workflow.workflowId))
    const missing = entries.filter(
      (entry) => !ids.has(entry.result.workflowId)
    ).length
    this.logger.info(
      `Development holds ${listed.length} workflow(s); ` +
        `${missing} of ${entries.length} managed here are new`
    )
    return ids
  }

  private async applyToDevelopment(
    entry: Entry,
    existing: Set<string>
  ): Promise<void> {
    const id = entry.result.workflowId
    const plan = this.settings.mode === 'plan'
    const current = existing.has(id) ? await this.gateway.getWorkflow(id) : null
    if (current !== null) this.refuseOtherManager(current)
    const definition = withOwnership(
      entry.definition as WorkflowDefinition,
      this.settings.manager ?? '',
      current
    )
    // Promotion compares targets with what Development will hold.
    entry.definition = definition

    if (current === null) {
      if (plan) {
        entry.result.development = development('would-create')
        this.logger.info(`"${id}": would be created`)
        return
      }
      const created = await this.gateway.createWorkflow(definition)
      entry.developmentCopy = created
      entry.result.development = development('created', [], created.issues)
      this.logger.info(`"${id}": created`)
      return
    }

    this.refuseForeignOrigin(current)
    const changes = compareWorkflow(definition, current)
    if (changes.length === 0) {
      entry.developmentCopy = current
      entry.result.development = development('unchanged', [], current.issues)
      this.logger.info(`"${id}": unchanged`)
      return
    }

    this.logger.info(
      `"${id}": ${plan ? 'would be updated' : 'updating'}; differs in ` +
        changes.map((change) => change.path).join(', ')
    )
    if (plan) {
      entry.developmentCopy = current
      entry.result.development = development(
        'would-update',
        changes,
        current.issues
      )
      return
    }
    const updated = await this.gateway.updateWorkflow(definition, current)
    entry.developmentCopy = updated
    entry.result.development = development('updated', changes, updated.issues)
  }

  /** Sync mode: Development's copies are the source, read as they are. */
  private async readDevelopment(entries: Entry[]): Promise<void> {
    await Promise.all(
      entries.map((entry) =>
        this.task(entry, 'development', async () => {
          const id = entry.result.workflowId
          const current = await this.gateway.getWorkflow(id)
          if (current === null) {
            throw new Error(
              `Workflow "${id}" does not exist in Development, so there ` +
                'is nothing to promote. Check "workflow-ids", or deploy it ' +
                'first.'
            )
          }
          this.refuseForeignOrigin(current)
          entry.developmentCopy = current
          entry.result.name = current.name
        })
      )
    )
  }

  private async promotionPhase(
    entries: Entry[],
    target: Environment
  ): Promise<void> {
    const eligible = entries.filter((entry) => this.mayPromote(entry, target))
    if (eligible.length === 0) return
    const states = await this.targetStates(target)

    await Promise.all(
      eligible.map((entry) =>
        this.task(entry, target.name, () => this.promote(entry, target, states))
      )
    )
  }

  /**
   * Whether each workflow already matches in the target, from one
   * environment diff; `undefined` when the server cannot diff (older
   * self-hosted versions), in which case each workflow is read instead.
   */
  private async targetStates(
    target: Environment
  ): Promise<Map<string, string> | undefined> {
    try {
      return await this.gateway.diffEnvironment(target.id)
    } catch (error) {
      if (isRunStopping(error)) throw error
      this.logger.warning(
        `Could not diff Development with "${target.name}" ` +
          `(${messageOf(error)}); comparing each workflow instead.`
      )
      return undefined
    }
  }

  private mayPromote(entry: Entry, target: Environment): boolean {
    const skip = (reason: string): false => {
      entry.result.promotions.push({
        environment: target.name,
        outcome: 'skipped',
        changes: [],
        reason,
        issues: []
      })
      return false
    }
    if (entry.failed) {
      return skip(
        entry.result.promotions.some((p) => p.outcome === 'failed')
          ? 'an earlier environment failed'
          : 'Development failed'
      )
    }
    const copy = entry.developmentCopy
    if (copy?.status === 'ERROR' && !this.settings.promoteWithIssues) {
      return skip(
        'Novu marks the Development copy as in error (see its issues); ' +
          'fix the definition or set "promote-with-issues: true"'
      )
    }
    return true
  }

  private async promote(
    entry: Entry,
    target: Environment,
    states: Map<string, string> | undefined
  ): Promise<void> {
    const id = entry.result.workflowId
    const plan = this.settings.mode === 'plan'
    const pending = entry.result.development?.outcome
    const promotion: PromotionResult = {
      environment: target.name,
      outcome: 'in-sync',
      changes: [],
      issues: []
    }
    entry.result.promotions.push(promotion)

    // In a plan that changes Development, the target is behind whatever
    // it holds; the file's version is what it would receive.
    const willChange = pending === 'would-create' || pending === 'would-update'
    const source =
      willChange && entry.definition !== undefined
        ? entry.definition
        : asDefinition(entry.developmentCopy as RemoteWorkflow)
    let targetCopy: RemoteWorkflow | null | undefined
    const compareTarget = async (): Promise<boolean> => {
      targetCopy ??= await this.gateway.getWorkflow(id, target.id)
      if (targetCopy === null) return false
      promotion.changes = compareWorkflow(source, targetCopy)
      return promotion.changes.length === 0
    }

    let inSync: boolean
    if (willChange) inSync = false
    // Novu's diff lists only workflows that differ, and skips those whose
    // Development copy is in error, which are then compared one by one.
    else if (
      states !== undefined &&
      entry.developmentCopy?.status !== 'ERROR'
    ) {
      const state = states.get(id)
      inSync = state === undefined || state === 'unchanged'
    } else inSync = await compareTarget()
    // A plan shows what differs, field by field.
    if (plan && !inSync && targetCopy === undefined) await compareTarget()

    if (inSync) {
      this.logger.info(`"${id}": already in sync with ${target.name}`)
      return
    }
    if (plan) {
      promotion.outcome = 'would-sync'
      this.logger.info(`"${id}": would be synced to ${target.name}`)
      return
    }
    // The environment diff says that the target differs, not how; a deploy
    // does not read each target copy to tell, so its report names no
    // fields here (a plan does, at the cost of those reads).
    const synced = await this.gateway.syncWorkflow(id, target.id)
    promotion.outcome = 'synced'
    this.logger.info(`"${id}": synced to ${target.name}`)
    // Novu answers a sync with success even when the copy it made is in
    // error; that verdict is the target's, so it is reported there.
    if (synced !== undefined && synced.issues.length > 0) {
      promotion.issues = synced.issues
    }
    if (synced?.status === 'ERROR') {
      promotion.reason =
        `Novu marks the ${target.name} copy as in error: ` +
        describeIssues(synced.issues)
      this.logger.warning(`"${id}": ${promotion.reason}`)
    }
  }

  /**
   * A workflow another repository manages is not taken over: both would
   * rewrite it on every run, and the other one's prune could delete it.
   */
  private refuseOtherManager(current: RemoteWorkflow): void {
    const manager = this.settings.manager ?? ''
    const owner = managerOf(current.tags)
    if (manager === '' || owner === undefined || owner === manager) return
    throw new Error(
      `Workflow "${current.workflowId}" is managed by "${owner}" (its ` +
        `tag "managed-by:${owner}"), not by "${manager}". Keep its ` +
        'definition in one repository; to hand it over, remove that tag ' +
        'in Novu and run again.'
    )
  }

  private refuseForeignOrigin(current: RemoteWorkflow): void {
    if (current.origin === MANAGEABLE_ORIGIN) return
    throw new Error(
      `Workflow "${current.workflowId}" has origin "${current.origin}": ` +
        'it is owned by a code-first bridge application, and Novu lets ' +
        'neither updates nor syncs through the API change it. Manage it ' +
        'from its bridge, or give this definition another workflowId.'
    )
  }

  /**
   * Runs one workflow's work for one phase; a failure is recorded on the
   * workflow and ends only that workflow, unless it must end the run.
   */
  private task(
    entry: Entry,
    phase: string,
    work: () => Promise<void>
  ): Promise<void> {
    return this.limit(async () => {
      if (this.stopped !== undefined) {
        this.record(entry, phase, 'skipped', this.stopped)
        return
      }
      try {
        await work()
      } catch (error) {
        if (isRunStopping(error)) throw error
        const reason = messageOf(error)
        this.record(entry, phase, 'failed', reason)
        entry.failed = true
        this.logger.warning(`"${entry.result.workflowId}": ${reason}`)
        if (this.settings.failFast && this.stopped === undefined) {
          this.stopped =
            `not attempted: "fail-fast" stopped the run after ` +
            `"${entry.result.workflowId}" failed`
        }
      }
    })
  }

  private record(
    entry: Entry,
    phase: string,
    outcome: 'failed' | 'skipped',
    reason: string
  ): void {
    if (phase === 'development') {
      entry.result.development = { ...development(outcome), reason }
      if (outcome === 'skipped') entry.failed = true
      return
    }
    const promotion = entry.result.promotions.find(
      (p) => p.environment === phase
    )
    if (promotion !== undefined) {
      promotion.outcome = outcome
      promotion.reason = reason
    } else {
      entry.result.promotions.push({
        environment: phase,
        outcome,
        changes: [],
        reason,
        issues: []
      })
    }
  }
}

function development(
  outcome: NonNullable<WorkflowResult['development']>['outcome'],
  changes: FieldChange[] = [],
  issues: ContentIssue[] = []
): NonNullable<WorkflowResult['development']> {
  return { outcome, changes, issues }
}

function countResults(result: RunResult): RunCounts {
  const counts = noCounts()
  // A plan counts what a deploy would do, so that its outputs can drive
  // later steps (a comment, an approval) as a deploy's do.
  const plan = result.mode === 'plan'
  for (const workflow of result.workflows) {
    const outcome = workflow.development?.outcome
    if (outcome === (plan ? 'would-delete' : 'deleted')) counts.deleted += 1
    if (outcome === (plan ? 'would-create' : 'created')) counts.created += 1
    if (outcome === (plan ? 'would-update' : 'updated')) counts.updated += 1
    if (outcome === 'unchanged') counts.unchanged += 1
    const promotions = workflow.promotions
    const synced = plan ? 'would-sync' : 'synced'
    counts.synced += promotions.filter((p) => p.outcome === synced).length
    if (
      outcome === 'failed' ||
      promotions.some((p) => p.outcome === 'failed')
    ) {
      counts.failed += 1
    }
  }
  for (const exported of result.export?.workflows ?? []) {
    if (exported.outcome === 'failed') counts.failed += 1
  }
  return counts
}

const CHANGING = new Set([
  'created',
  'updated',
  'synced',
  'would-create',
  'would-update',
  'would-sync',
  'deleted',
  'would-delete'
])

function hasChanges(result: RunResult): boolean {
  const exported = result.export?.workflows ?? []
  if (exported.some((w) => ['written', 'rewritten'].includes(w.outcome))) {
    return true
  }
  return result.workflows.some(
    (workflow) =>
      CHANGING.has(workflow.development?.outcome ?? '') ||
      workflow.promotions.some((p) => CHANGING.has(p.outcome))
  )
}

/** Errors that end the whole run rather than one workflow. */
function isRunStopping(error: unknown): boolean {
  return (
    error instanceof RunStoppedError ||
    (typeof error === 'object' &&
      error !== null &&
      (error as { fatal?: unknown }).fatal === true)
  )
}

function describeIssues(issues: ContentIssue[]): string {
  if (issues.length === 0) return 'Novu gave no details; open it in Novu.'
  return issues
    .map((issue) => {
      const where = [issue.stepId, issue.field].filter(Boolean).join('.')
      return where === '' ? issue.message : `${where}: ${issue.message}`
    })
    .join('; ')
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

export function describe(problem: DefinitionProblem): string {
  const place =
    problem.file === '' ? 'input' : `${problem.file}:${problem.line}`
  return `${place}: ${problem.message}`
}
