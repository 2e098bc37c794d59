import {
  createServer,
  type IncomingMessage,
  type ServerResponse
} from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

import { environmentDiff } from './diff.js'
import { errorBody, HttpError, nestError, validationError } from './errors.js'
import { FaultList, makeUnparseable, type Fault } from './faults.js'
import { deepCopy, isObjectId } from './ids.js'
import { RateLimiter } from './rate-limit.js'
import {
  Store,
  type Environment,
  type SeedWorkflow,
  type StoredWorkflow
} from './store.js'
import {
  environmentResponse,
  workflowListItem,
  workflowResponse
} from './wire.js'

export type { Fault, FaultKind } from './faults.js'
export type {
  SeedStep,
  SeedWorkflow,
  StoredStep,
  StoredWorkflow
} from './store.js'

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
const DIFF_PATH = /^\/v2\/environments\/[^/]+\/diff/

export interface StandInOptions {
  // 0 (the default) takes any free port. Only 127.0.0.1 is ever bound.
  port?: number
  // The first one is Development, the source of syncs and diffs.
  environments?: string[]
  // Added before every answer.
  latencyMs?: number
  // Requests per second per secret key; 0 or unset means no limit and no
  // RateLimit-* headers.
  rateLimitPerSecond?: number
  // Most workflows one environment may hold.
  workflowLimit?: number
}

export interface RequestRecord {
  method: string
  path: string
  // 0 while unanswered, and for a hang or a reset.
  status: number
  environment: string | null
  at: number
}

export interface StandIn {
  url: string
  secretKey(environmentName: string): string
  environmentId(name: string): string
  workflows(environmentName: string): StoredWorkflow[]
  workflow(
    environmentName: string,
    workflowId: string
  ): StoredWorkflow | undefined
  seed(environmentName: string, workflow: SeedWorkflow): void
  removeEnvironment(name: string): void
  requests: RequestRecord[]
  resetRequests(): void
  /**
   * The requests that change something, as `METHOD path`: every POST,
   * PUT, PATCH and DELETE but the environment diff, a POST that reads.
   */
  writes(): string[]
  addFault(fault: Fault): void
  clearFaults(): void
  close(): Promise<void>
}

interface Reply {
  status: number
  body?: unknown
}

interface Call {
  method: string
  path: string
  query: URLSearchParams
  body: unknown
  env: Environment
  suffixDuplicate: boolean
}

type Handler = (call: Call, params: string[]) => Reply

interface Route {
  method: string
  pattern: RegExp
  handler: Handler
}

function ok(body: unknown, status = 200): Reply {
  return { status, body: { data: body } }
}

function environmentFor(store: Store, id: string | null): Environment | null {
  if (id === null) return null
  const env = store.byId(id)
  if (!env) throw nestError(404, `Environment ${id} not found`)
  return env
}

function listLimit(
  raw: string | null,
  name: string,
  min: number,
  max: number,
  fallback: number
): number {
  if (raw === null) return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max) {
    throw validationError({
      [name]: {
        messages: [`${name} must be an integer between ${min} and ${max}`],
        value: raw
      }
    })
  }
  return value
}

function routes(store: Store): Route[] {
  return [
    {
      method: 'GET',
      pattern: /^\/v1\/environments$/,
      handler: () =>
        ok(
          store.environments.map((env) =>
            environmentResponse(env, store.organizationId)
          )
        )
    },
    {
      method: 'GET',
      pattern: /^\/v1\/environments\/me$/,
      handler: ({ env }) => ok(environmentResponse(env, store.organizationId))
    },
    {
      method: 'GET',
      pattern: /^\/v2\/workflows$/,
      handler: ({ env, query }) => {
        const limit = listLimit(query.get('limit'), 'limit', 1, 100, 10)
        const offset = listLimit(query.get('offset'), 'offset', 0, Infinity, 0)
        const search = (query.get('query') ?? '').toLowerCase()
        const matching = [...env.workflows.values()]
          .reverse()
          .filter(
            (wf) =>
              !search ||
              wf.name.toLowerCase().includes(search) ||
              wf.workflowId.toLowerCase().includes(search)
          )
        return ok({
          workflows: matching
            .slice(offset, offset + limit)
            .map(workflowListItem),
          totalCount: matching.length
        })
      }
    },
    {
      method: 'POST',
      pattern: /^\/v2\/workflows$/,
      handler: ({ env, body, suffixDuplicate }) =>
        ok(workflowResponse(store.create(env, body, suffixDuplicate)), 201)
    },
    {
      method: 'GET',
      pattern: /^\/v2\/workflows\/([^/]+)$/,
      handler: ({ env, query }, [id]) => {
        const where = environmentFor(store, query.get('environmentId')) ?? env
        return ok(workflowResponse(store.get(where, id!)))
      }
    },
    {
      method: 'PUT',
      pattern: /^\/v2\/workflows\/([^/]+)$/,
      handler: ({ env, body }, [id]) =>
        ok(workflowResponse(store.replace(env, id!, body)))
    },
    {
      method: 'DELETE',
      pattern: /^\/v2\/workflows\/([^/]+)$/,
      handler: ({ env }, [id]) => {
        store.delete(env, id!)
        return { status: 204 }
      }
    },
    {
      method: 'PUT',
      pattern: /^\/v2\/workflows\/([^/]+)\/sync$/,
      handler: ({ env, body }, [id]) => {
        const target = (body as { targetEnvironmentId?: unknown } | null)
          ?.targetEnvironmentId
        return ok(workflowResponse(store.sync(env, id!, target)))
      }
    },
    {
      method: 'POST',
      pattern: /^\/v2\/environments\/([^/]+)\/diff$/,
      handler: ({ body }, [targetId]) => {
        if (!isObjectId(targetId!)) {
          throw nestError(400, 'Invalid environment ID format')
        }
        const sourceId = (body as { sourceEnvironmentId?: unknown } | null)
          ?.sourceEnvironmentId
        const source =
          typeof sourceId === 'string'
            ? environmentFor(store, sourceId)
            : store.development
        if (!source) throw nestError(404, 'Development environment not found')
        const target = environmentFor(store, targetId!)!
        return ok(environmentDiff(source, target))
      }
    }
  ]
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined
  try {
    return JSON.parse(text)
  } catch (error) {
    throw nestError(400, (error as Error).message)
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string>
): void {
  if (status === 204 || body === undefined) {
    res.writeHead(status, headers).end()
    return
  }
  const isText = typeof body === 'string'
  const type = isText
    ? body.trimStart().startsWith('<')
      ? 'text/html'
      : 'text/plain'
    : 'application/json'
  res.writeHead(status, {
    'Content-Type': `${type}; charset=utf-8`,
    ...headers
  })
  res.end(isText ? body : JSON.stringify(body))
}

// Reads the secret key the way Novu's passport strategy does: the header
// must be `Authorization: ApiKey <secret>`.
function authenticate(store: Store, req: IncomingMessage): Environment {
  const header = req.headers.authorization
  const match = header?.match(/^ApiKey (.+)$/)
  if (!match) {
    throw new HttpError(401, { message: 'Unauthorized' })
  }
  const env = store.byKey(match[1]!.trim())
  if (!env) throw nestError(401, 'API Key not found')
  return env
}

export async function startStandIn(
  options: StandInOptions = {}
): Promise<StandIn> {
  const store = new Store({
    environments: options.environments ?? [
      'Development',
      'Staging',
      'Production'
    ],
    ...(options.workflowLimit !== undefined && {
      workflowLimit: options.workflowLimit
    })
  })
  const limiter = options.rateLimitPerSecond
    ? new RateLimiter(options.rateLimitPerSecond)
    : undefined
  const faults = new FaultList()
  const table = routes(store)
  const requests: RequestRecord[] = []

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const method = req.method ?? 'GET'
    const rawPath = req.url ?? '/'
    const url = new URL(rawPath, 'http://127.0.0.1')
    const record: RequestRecord = {
      method,
      path: rawPath,
      status: 0,
      environment: null,
      at: Date.now()
    }
    requests.push(record)
    res.on('finish', () => {
      record.status = res.statusCode
    })

    const text = await readBody(req)
    const fault = faults.take(method, rawPath)
    if (options.latencyMs) await sleep(options.latencyMs)

    const before = fault && (fault.after ?? 'respond') === 'respond'
    if (before && typeof fault.kind === 'object') {
      send(res, fault.kind.status, fault.kind.body, fault.kind.headers ?? {})
      return
    }
    if (before && fault.kind === 'hang') return
    if (before && fault.kind === 'reset') {
      req.socket.destroy()
      return
    }

    let reply: Reply
    let headers: Record<string, string> = {}
    try {
      const route = table.find(
        (r) => r.method === method && r.pattern.test(url.pathname)
      )
      if (!route) throw nestError(404, `Cannot ${method} ${url.pathname}`)

      const env = authenticate(store, req)
      record.environment = env.name
      if (limiter) {
        const decision = limiter.take(env.secretKey)
        headers = decision.headers
        if (!decision.allowed) {
          throw nestError(429, 'API rate limit exceeded')
        }
      }

      const params = url.pathname
        .match(route.pattern)!
        .slice(1)
        .map((part) => decodeURIComponent(part))
      reply = route.handler(
        {
          method,
          path: url.pathname,
          query: url.searchParams,
          body: parseJson(text),
          env,
          suffixDuplicate: fault?.kind === 'suffix-duplicate'
        },
        params
      )
    } catch (error) {
      if (!(error instanceof HttpError)) throw error
      reply = { status: error.status, body: errorBody(error, rawPath) }
    }

    if (fault?.after === 'write') {
      if (fault.kind === 'hang') return
      if (fault.kind === 'reset') {
        req.socket.destroy()
        return
      }
      if (typeof fault.kind === 'object') {
        send(res, fault.kind.status, fault.kind.body, {
          ...headers,
          ...fault.kind.headers
        })
        return
      }
    }
    if (fault?.kind === 'unparseable' && reply.status < 300) {
      reply = { ...reply, body: makeUnparseable(reply.body) }
    }
    send(res, reply.status, reply.body, headers)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const body = {
        statusCode: 500,
        timestamp: new Date().toISOString(),
        path: req.url,
        message: String(error)
      }
      if (!res.headersSent) send(res, 500, body, {})
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    secretKey: (name) => store.byName(name).secretKey,
    environmentId: (name) => store.byName(name)._id,
    workflows: (name) =>
      [...store.byName(name).workflows.values()].map(deepCopy),
    workflow: (name, workflowId) =>
      deepCopy(store.byName(name).workflows.get(workflowId)),
    seed: (name, workflow) => {
      store.seed(store.byName(name), workflow)
    },
    removeEnvironment: (name) => store.remove(name),
    requests,
    resetRequests: () => {
      requests.length = 0
    },
    writes: () =>
      requests
        .filter((r) => WRITE_METHODS.has(r.method) && !DIFF_PATH.test(r.path))
        .map((r) => `${r.method} ${r.path}`),
    addFault: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        // Hung requests and idle keep-alive sockets would hold close() open.
        server.closeAllConnections()
      })
  }
}
