import type {
  Environment,
  RemoteWorkflow,
  WorkflowDefinition
} from '../model.js'
import { NovuApiError, type NovuErrorKind } from './errors.js'
import type {
  EnvironmentDiffState,
  NovuGateway,
  WorkflowSummary
} from './gateway.js'
import { Transport, type RequestStats } from './transport.js'
import {
  createBody,
  holdsKey,
  toDiffStates,
  toEnvironment,
  toRemoteWorkflow,
  toWorkflowPage,
  updateBody
} from './wire.js'

export type { RequestStats } from './transport.js'

export interface GatewayOptions {
  /** Already normalised: no trailing slash, no version segment. */
  apiUrl: string
  secretKey: string
  /**
   * Most requests in flight. `auto` starts at 5 and follows Novu's
   * `RateLimit-Limit` header (a quarter of it, 1 to 50).
   */
  concurrency: number | 'auto'
  /** Per request; 30 seconds unless set. */
  timeoutMs?: number
  /** Total time one call may spend retrying; 60 seconds unless set. */
  retryBudgetMs?: number
  logger?: { debug(message: string): void }
}

export interface Gateway extends NovuGateway {
  stats(): RequestStats
}

const PAGE_SIZE = 100

/**
 * The NovuGateway over Novu's API, through `@novu/api`'s HTTP client and
 * error types. The SDK's typed call functions are not used: each of them
 * loads every model of the SDK (about 40 MB of memory and 2 MB of bundle),
 * and those models alter what is sent (defaults that switch workflows off
 * or blank email bodies, unknown control keys dropped) and refuse answers
 * the real server gives (newer step types, the environment diff, steps
 * in error). Bodies are built and read in `wire.ts` instead.
 */
export function createNovuGateway(options: GatewayOptions): Gateway {
  const transport = new Transport({
    apiUrl: options.apiUrl,
    secretKey: options.secretKey,
    concurrency: options.concurrency,
    timeoutMs: options.timeoutMs ?? 30_000,
    retryBudgetMs: options.retryBudgetMs ?? 60_000,
    logger: options.logger
  })
  return new NovuClient(transport, options)
}

class NovuClient implements Gateway {
  constructor(
    private readonly transport: Transport,
    private readonly options: GatewayOptions
  ) {}

  stats(): RequestStats {
    return this.transport.stats()
  }

  async currentEnvironment(): Promise<Environment> {
    // `/v1/environments/me` is not in the SDK; older self-hosted servers
    // lack it, and there the key is found among the listed environments.
    try {
      const value = await this.transport.call(
        { operation: 'read the environment of the secret key' },
        () => this.transport.request('GET', '/v1/environments/me')
      )
      const environment = toEnvironment(value)
      if (environment !== undefined) return environment
    } catch (error) {
      if (!isKind(error, 'route-not-found')) throw error
      this.options.logger?.debug(
        'This Novu has no /v1/environments/me; looking for the key among ' +
          'the listed environments.'
      )
    }

    const listed = await this.listRawEnvironments()
    const own = listed.find((entry) => holdsKey(entry, this.options.secretKey))
    const environment = own === undefined ? undefined : toEnvironment(own)
    if (environment === undefined) {
      throw new NovuApiError(
        'unknown',
        'Could not tell which Novu environment the secret key belongs to: ' +
          'this server has no /v1/environments/me and lists no environment ' +
          'holding the key. Use a Novu version that serves ' +
          '/v1/environments/me, or check the secret-key input.',
        { fatal: true }
      )
    }
    return environment
  }

  async listEnvironments(): Promise<Environment[]> {
    const listed = await this.listRawEnvironments()
    return listed
      .map(toEnvironment)
      .filter((entry): entry is Environment => entry !== undefined)
  }

  private async listRawEnvironments(): Promise<unknown[]> {
    const value = await this.transport.call(
      { operation: 'list environments' },
      () => this.transport.request('GET', '/v1/environments')
    )
    return Array.isArray(value) ? (value as unknown[]) : []
  }

  async getWorkflow(
    workflowId: string,
    environmentId?: string
  ): Promise<RemoteWorkflow | null> {
    try {
      const value = await this.transport.call(
        { operation: 'read workflow', workflowId },
        () =>
          this.transport.request('GET', workflowPath(workflowId), {
            query: { environmentId }
          })
      )
      return this.readSaved(value, 'read workflow', workflowId)
    } catch (error) {
      if (isKind(error, 'workflow-not-found')) return null
      throw error
    }
  }

  async listWorkflows(): Promise<WorkflowSummary[]> {
    const first = await this.listPage(0)
    const all = [...first.workflows]
    if (first.workflows.length < PAGE_SIZE) return all

    // The first page tells how many there are, so the others are asked
    // for together rather than one round trip after another.
    const offsets: number[] = []
    for (let at = PAGE_SIZE; at < first.totalCount; at += PAGE_SIZE) {
      offsets.push(at)
    }
    const pages = await Promise.all(offsets.map((at) => this.listPage(at)))
    for (const page of pages) all.push(...page.workflows)

    // Workflows created meanwhile push the list past the first count.
    let last = pages.at(-1) ?? first
    while (
      last.workflows.length === PAGE_SIZE &&
      all.length < last.totalCount
    ) {
      last = await this.listPage(all.length)
      all.push(...last.workflows)
    }
    return all
  }

  private async listPage(
    offset: number
  ): Promise<ReturnType<typeof toWorkflowPage>> {
    const value = await this.transport.call(
      { operation: 'list workflows' },
      () =>
        this.transport.request('GET', '/v2/workflows', {
          query: { limit: String(PAGE_SIZE), offset: String(offset) }
        })
    )
    return toWorkflowPage(value)
  }

  async createWorkflow(
    definition: WorkflowDefinition
  ): Promise<RemoteWorkflow> {
    const workflowId = definition.workflowId
    const operation = 'create workflow'
    const saved = await this.transport.call(
      {
        operation,
        workflowId,
        write: true,
        // Create is not idempotent: when a timeout, a dropped connection or
        // a 5xx leaves unclear whether the workflow was saved, read it
        // before creating again, or a second copy would be made.
        settle: async () => (await this.getWorkflow(workflowId)) ?? undefined
      },
      async () =>
        this.readSaved(
          await this.transport.request('POST', '/v2/workflows', {
            body: createBody(definition)
          }),
          operation,
          workflowId
        )
    )

    if (saved.workflowId !== workflowId) {
      // Novu saves a create whose id is taken under a suffixed id instead
      // of refusing it; that copy is not the managed workflow.
      throw new NovuApiError(
        'duplicate',
        `Could not create workflow "${workflowId}": Novu saved it as ` +
          `"${saved.workflowId}" instead, because the id is already taken ` +
          `(by a workflow this key cannot read, or one created meanwhile). ` +
          `Delete the duplicate "${saved.workflowId}" in Novu, then run again.`,
        { workflowId }
      )
    }
    return saved
  }

  async updateWorkflow(
    definition: WorkflowDefinition,
    current: RemoteWorkflow
  ): Promise<RemoteWorkflow> {
    const workflowId = definition.workflowId
    return this.transport.call(
      { operation: 'update workflow', workflowId, write: true },
      async () =>
        this.readSaved(
          await this.transport.request('PUT', workflowPath(workflowId), {
            body: updateBody(definition, current)
          }),
          'update workflow',
          workflowId
        )
    )
  }

  async syncWorkflow(
    workflowId: string,
    targetEnvironmentId: string
  ): Promise<RemoteWorkflow | undefined> {
    return this.transport.call(
      { operation: 'sync workflow', workflowId, write: true },
      async () => {
        const answer = await this.transport.request(
          'PUT',
          `${workflowPath(workflowId)}/sync`,
          { body: { targetEnvironmentId } }
        )
        const copy = toRemoteWorkflow(answer)
        const flagged =
          copy !== undefined &&
          (copy.status === 'ERROR' || copy.issues.length > 0)
        return flagged ? copy : undefined
      }
    )
  }

  async deleteWorkflow(workflowId: string): Promise<void> {
    try {
      await this.transport.call(
        { operation: 'delete workflow', workflowId, write: true },
        async () => {
          await this.transport.request('DELETE', workflowPath(workflowId))
        }
      )
    } catch (error) {
      // Gone already, perhaps by an earlier attempt whose answer was lost.
      if (isKind(error, 'workflow-not-found')) return
      throw error
    }
  }

  async diffEnvironment(
    targetEnvironmentId: string
  ): Promise<Map<string, EnvironmentDiffState>> {
    // Read raw: the SDK's model of this answer rejects what servers send.
    const value = await this.transport.call(
      { operation: 'compare environments' },
      () =>
        this.transport.request(
          'POST',
          `/v2/environments/${encodeURIComponent(targetEnvironmentId)}/diff`,
          { body: {} }
        )
    )
    return toDiffStates(value)
  }

  /**
   * Maps a saved workflow; after a write a body that cannot be read still
   * means the write happened, so the error says so and carries the body.
   */
  private readSaved(
    value: unknown,
    operation: string,
    workflowId: string
  ): RemoteWorkflow {
    const workflow = toRemoteWorkflow(value)
    if (workflow !== undefined) return workflow
    throw new NovuApiError(
      'response-mismatch',
      `Could not ${operation} "${workflowId}": Novu answered with success ` +
        'but without a workflow the action can read. If this was a write, ' +
        'it was carried out; check the workflow in Novu.',
      { workflowId, rawValue: value }
    )
  }
}

function workflowPath(workflowId: string): string {
  return `/v2/workflows/${encodeURIComponent(workflowId)}`
}

function isKind(error: unknown, kind: NovuErrorKind): boolean {
  return error instanceof NovuApiError && error.kind === kind
}
