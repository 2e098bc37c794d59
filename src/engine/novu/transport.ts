import pLimit, { type LimitFunction } from 'p-limit'
import { HTTPClient } from '@novu/api/lib/http.js'
import { NovuError } from '@novu/api/models/errors/novuerror.js'
import {
  NovuApiError,
  parseRetryAfter,
  toNovuApiError,
  type ErrorContext
} from './errors.js'
import { unwrap } from './wire.js'

export interface TransportOptions {
  apiUrl: string
  secretKey: string
  concurrency: number | 'auto'
  timeoutMs: number
  retryBudgetMs: number
  logger?: { debug(message: string): void }
}

export interface RequestStats {
  /** HTTP requests sent, retries included. */
  requests: number
  /** Attempts of calls that change Novu. */
  writes: number
  /** Responses with HTTP 429. */
  throttled: number
  /** Attempts repeated after a failure that could pass. */
  retried: number
}

export interface CallContext extends Omit<ErrorContext, 'secrets'> {
  write?: boolean
  /**
   * Asked after a failure that leaves unclear whether Novu carried the
   * request out; a value it returns is taken as the call's result.
   */
  settle?: (error: NovuApiError) => Promise<unknown>
}

const AUTO_START = 5
const AUTO_MAX = 50
/**
 * Share of Novu's refill rate the client allows itself: the little left
 * over absorbs requests that arrive out of order or a clock that drifts.
 */
const RATE_MARGIN = 0.95
const BACKOFF_START_MS = 500
const BACKOFF_MAX_MS = 10_000

/**
 * Everything between a gateway method and the wire: the SDK's HTTP
 * client, with an explicit base URL (the SDK's default is Novu's US
 * server), a timeout on every request, a cap on requests in flight,
 * pacing from Novu's rate-limit headers, and retries inside a bounded
 * time budget.
 *
 * Retries are this class's and not the SDK's: the SDK's default policy
 * retries for up to an hour, and it cannot read a workflow before
 * repeating a create whose outcome is unknown.
 */
export class Transport {
  private readonly http: HTTPClient
  private readonly limit: LimitFunction
  private readonly counters: RequestStats = {
    requests: 0,
    writes: 0,
    throttled: 0,
    retried: 0
  }
  private pausedUntil = 0
  /** Novu's bucket as the client mirrors it, once a response told it. */
  private bucket?: {
    rate: number
    capacity: number
    tokens: number
    at: number
  }

  constructor(private readonly options: TransportOptions) {
    const initial =
      options.concurrency === 'auto' ? AUTO_START : options.concurrency
    this.limit = pLimit(
      Number.isFinite(initial) ? Math.max(1, Math.floor(initial)) : AUTO_START
    )
    this.http = new HTTPClient({
      fetcher: (input, init) => this.send(input as string | URL | Request, init)
    })
  }

  stats(): RequestStats {
    return { ...this.counters }
  }

  /**
   * Runs `attempt` under the concurrency cap, again after failures that
   * may pass (429, 5xx, timeouts, dropped connections), until it succeeds
   * or the retry budget is spent.
   */
  async call<T>(context: CallContext, attempt: () => Promise<T>): Promise<T> {
    const errorContext: ErrorContext = {
      operation: context.operation,
      workflowId: context.workflowId,
      secrets: [this.options.secretKey]
    }
    const started = Date.now()

    for (let tries = 1; ; tries += 1) {
      let error: NovuApiError
      try {
        return await this.limit(async () => {
          // Waiting here, before the request exists, keeps a pause from
          // eating into the request's own timeout.
          await this.paced()
          if (context.write === true) this.counters.writes += 1
          return attempt()
        })
      } catch (thrown) {
        error = toNovuApiError(thrown, errorContext)
      }
      if (!error.retryable) throw error

      // A 429 is a clear refusal; anything else may have been carried out.
      if (context.settle !== undefined && error.kind !== 'throttled') {
        let settled: unknown
        try {
          settled = await context.settle(error)
        } catch {
          // Still unknown, and repeating could duplicate: report the
          // original failure.
          throw error
        }
        if (settled !== undefined) return settled as T
      }

      const delay = this.retryDelay(error, tries)
      const elapsed = Date.now() - started
      if (elapsed + delay > this.options.retryBudgetMs) {
        throw exhausted(error, tries, elapsed)
      }
      this.counters.retried += 1
      const cause =
        error.status === undefined ? error.kind : `HTTP ${error.status}`
      this.options.logger?.debug(
        `Retrying ${describe(context)} in ${seconds(delay)}s after ` +
          `${cause} (attempt ${tries + 1}).`
      )
      await sleep(delay)
    }
  }

  /**
   * One request outside the SDK's models, with the exact JSON body given
   * and the raw JSON answer, unwrapped from its `{ data }` envelope. An
   * HTTP error is thrown as the SDK's `NovuError`, so that both paths
   * share one translation into `NovuApiError`.
   */
  async request(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    options: { query?: Record<string, string | undefined>; body?: unknown } = {}
  ): Promise<unknown> {
    const url = new URL(`${this.options.apiUrl}${path}`)
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, value)
    }
    const headers = new Headers({
      Accept: 'application/json',
      Authorization: `ApiKey ${this.options.secretKey}`
    })
    if (options.body !== undefined) {
      headers.set('Content-Type', 'application/json')
    }
    const request = new Request(url, {
      method,
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
      signal: AbortSignal.timeout(this.options.timeoutMs)
    })

    const response = await this.http.request(request)
    const text = await response.text()
    if (!response.ok) {
      throw new NovuError(`HTTP ${response.status}`, {
        response,
        request,
        body: text
      })
    }
    if (text.trim() === '') return undefined
    try {
      return unwrap(JSON.parse(text))
    } catch {
      throw new NovuApiError(
        'response-mismatch',
        `Novu answered ${method} ${url.pathname} with HTTP ` +
          `${response.status} but a body that is not JSON.`,
        { status: response.status, rawValue: text.slice(0, 200) }
      )
    }
  }

  /**
   * Waits out a 429's pause, then takes a token from the mirrored bucket.
   * A token is taken even when none is left: the debt makes the callers
   * that wait at once leave one by one, at Novu's rate, instead of all
   * together when the bucket has refilled by one.
   */
  private async paced(): Promise<void> {
    const paused = this.pausedUntil - Date.now()
    if (paused > 0) await sleep(paused)

    const bucket = this.bucket
    if (bucket === undefined) return
    this.refill(bucket)
    bucket.tokens -= 1
    if (bucket.tokens < 0) await sleep((-bucket.tokens / bucket.rate) * 1000)
  }

  private refill(bucket: NonNullable<Transport['bucket']>): void {
    const now = Date.now()
    bucket.tokens = Math.min(
      bucket.capacity,
      bucket.tokens + ((now - bucket.at) / 1000) * bucket.rate
    )
    bucket.at = now
  }

  /** The fetcher under every request: counting and header reading. */
  private async send(
    input: Parameters<typeof fetch>[0],
    init?: RequestInit
  ): Promise<Response> {
    this.counters.requests += 1
    const response = await (init === undefined
      ? fetch(input)
      : fetch(input, init))
    this.observe(response)
    return response
  }

  /**
   * Keeps the client inside Novu's token bucket, so that a large run goes
   * at the rate Novu allows instead of collecting a storm of 429s. Novu
   * sends `RateLimit-Limit` (tokens per window), `RateLimit-Remaining`,
   * `RateLimit-Reset` (seconds until the bucket is full) and
   * `RateLimit-Policy` (`limit;w=window;burst=size`).
   *
   * Requests take their token here before they leave, and Novu takes
   * its own when they arrive, so the mirror runs a little behind Novu's
   * count and can start a run with the whole burst. `Remaining` only ever
   * lowers it: a lower value means that someone else spends from the same
   * key, such as another job.
   */
  private observe(response: Response): void {
    const headers = response.headers
    const limit = leadingNumber(headers.get('ratelimit-limit'))
    const remaining = leadingNumber(headers.get('ratelimit-remaining'))
    const reset = leadingNumber(headers.get('ratelimit-reset'))
    const policy = headers.get('ratelimit-policy') ?? ''
    const window = policyParameter(policy, 'w') ?? 1
    const burst = policyParameter(policy, 'burst')

    if (limit !== undefined && limit > 0 && window > 0) {
      const rate = (limit / window) * RATE_MARGIN
      const capacity = Math.max(1, burst ?? limit)
      if (this.bucket === undefined) {
        this.bucket = { rate, capacity, tokens: remaining ?? 0, at: Date.now() }
        this.options.logger?.debug(
          `Novu allows ${limit} requests every ${window}s, in bursts of ` +
            `${capacity}; pacing requests to that rate.`
        )
      } else {
        this.refill(this.bucket)
        this.bucket.rate = rate
        this.bucket.capacity = capacity
      }
      if (remaining !== undefined) {
        this.bucket.tokens = Math.min(this.bucket.tokens, remaining)
      }
      if (this.options.concurrency === 'auto') this.size(limit / window)
    }

    // An empty bucket may refill only at the end of its window, as Novu's
    // does, so nothing is sent before `Reset` has passed.
    if (response.status === 429 || remaining === 0) {
      if (response.status === 429) this.counters.throttled += 1
      const after =
        (response.status === 429
          ? parseRetryAfter(headers.get('retry-after'))
          : undefined) ??
        reset ??
        1
      this.pause(after * 1000)
      if (this.bucket !== undefined) {
        this.bucket.tokens = Math.min(this.bucket.tokens, 0)
      }
    }
  }

  /**
   * In `auto` mode, a quarter of the rate in flight: at Novu's usual
   * latency that is more than the rate needs, and the mirrored bucket,
   * not this cap, keeps the client under the limit.
   */
  private size(rate: number): void {
    const sized = Math.min(AUTO_MAX, Math.max(1, Math.floor(rate / 4)))
    if (sized === this.limit.concurrency) return
    this.options.logger?.debug(
      `Novu allows ${rate} requests a second; sending up to ${sized} ` +
        'at once.'
    )
    this.limit.concurrency = sized
  }

  private pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms)
  }

  private retryDelay(error: NovuApiError, tries: number): number {
    if (error.retryAfterSeconds !== undefined) {
      return error.retryAfterSeconds * 1000
    }
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** (tries - 1))
    // Spread so that requests that failed together do not return together.
    return Math.round(base * (0.8 + Math.random() * 0.4))
  }
}

function exhausted(
  error: NovuApiError,
  tries: number,
  elapsedMs: number
): NovuApiError {
  return new NovuApiError(
    error.kind,
    `${error.message} Gave up after ${tries} ` +
      `${tries === 1 ? 'attempt' : 'attempts'} in ${seconds(elapsedMs)}s.`,
    {
      status: error.status,
      workflowId: error.workflowId,
      retryAfterSeconds: error.retryAfterSeconds,
      rawValue: error.rawValue,
      fatal: error.fatal,
      cause: error.cause
    }
  )
}

function describe(context: CallContext): string {
  return context.workflowId === undefined
    ? context.operation
    : `${context.operation} "${context.workflowId}"`
}

function leadingNumber(value: string | null): number | undefined {
  if (value === null) return undefined
  const match = /^\s*(\d+(?:\.\d+)?)/.exec(value)
  return match === null ? undefined : Number(match[1])
}

/** A numeric parameter of a `RateLimit-Policy` value, such as `w=1`. */
function policyParameter(policy: string, name: string): number | undefined {
  const match = new RegExp(`;\\s*${name}=(\\d+(?:\\.\\d+)?)`).exec(policy)
  return match === null ? undefined : Number(match[1])
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1)
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
