import { NovuError } from '@novu/api/models/errors/novuerror.js'
import {
  ConnectionError,
  RequestAbortedError,
  RequestTimeoutError
} from '@novu/api/models/errors/httpclienterrors.js'

/**
 * Every way a call to Novu can fail, as the engine needs to tell them
 * apart: whether to try again, whether to stop the whole run, and what to
 * tell the person reading the log.
 */
export type NovuErrorKind =
  | 'route-not-found'
  | 'workflow-not-found'
  | 'environment-not-found'
  | 'unauthorized'
  | 'forbidden'
  | 'validation'
  | 'rule'
  | 'workflow-limit'
  | 'duplicate'
  | 'too-large'
  | 'throttled'
  | 'server'
  | 'network'
  | 'timeout'
  | 'response-mismatch'
  | 'unknown'

const RETRYABLE: ReadonlySet<NovuErrorKind> = new Set([
  'throttled',
  'server',
  'network',
  'timeout'
])

// A wrong base URL or a refused key fails every later call the same way,
// so going on would only repeat the error once per workflow.
const FATAL: ReadonlySet<NovuErrorKind> = new Set([
  'route-not-found',
  'unauthorized'
])

export interface NovuApiErrorDetails {
  status?: number
  workflowId?: string
  /** Seconds the server asked to wait (`Retry-After`), when it did. */
  retryAfterSeconds?: number
  /** The response body a mismatching SDK model could not read. */
  rawValue?: unknown
  fatal?: boolean
  /** Overrides what the kind implies, for failures no retry can mend. */
  retryable?: boolean
  cause?: unknown
}

export class NovuApiError extends Error {
  readonly kind: NovuErrorKind
  readonly status?: number
  readonly workflowId?: string
  readonly retryable: boolean
  /** Stops the whole run: wrong URL, refused key. */
  readonly fatal: boolean
  readonly retryAfterSeconds?: number
  readonly rawValue?: unknown

  constructor(
    kind: NovuErrorKind,
    message: string,
    details: NovuApiErrorDetails = {}
  ) {
    super(message, details.cause === undefined ? {} : { cause: details.cause })
    this.name = 'NovuApiError'
    this.kind = kind
    this.status = details.status
    this.workflowId = details.workflowId
    this.retryable = details.retryable ?? RETRYABLE.has(kind)
    this.fatal = details.fatal ?? FATAL.has(kind)
    this.retryAfterSeconds = details.retryAfterSeconds
    this.rawValue = details.rawValue
  }
}

export interface ErrorContext {
  /** What was being done, as a verb phrase: `create workflow`. */
  operation: string
  workflowId?: string
  /** Values to blank out of anything echoed back (the secret key). */
  secrets?: readonly string[]
}

/**
 * Translates whatever a call threw (an SDK error, a failed `fetch`, an
 * HTTP error body in any of the shapes Novu sends) into one classified
 * error whose message reads: what failed, which workflow, why, what to do.
 */
export function toNovuApiError(
  error: unknown,
  context: ErrorContext
): NovuApiError {
  if (error instanceof NovuApiError) return error

  const what = describeOperation(context)
  const scrub = (text: string): string => scrubSecrets(text, context.secrets)
  const base = { workflowId: context.workflowId, cause: error }

  if (isHttpFailure(error)) {
    return fromHttpFailure(error, context, what, scrub)
  }

  if (error instanceof RequestTimeoutError || isTimeout(error)) {
    return new NovuApiError(
      'timeout',
      `${what}: Novu did not answer in time. The network or Novu is ` +
        'slow; run again later.',
      base
    )
  }

  if (error instanceof RequestAbortedError) {
    return new NovuApiError(
      'timeout',
      `${what}: the request was aborted before Novu answered. Run again.`,
      base
    )
  }

  const network = networkCode(error)
  // A host name that does not exist stays so for the whole run: waiting
  // out the retry budget would only delay the same answer.
  if (network === 'ENOTFOUND') {
    return new NovuApiError(
      'network',
      scrub(
        `${what}: the host name of the api-url input does not exist ` +
          '(ENOTFOUND). Check the URL, such as "https://api.novu.co" or ' +
          '"https://eu.api.novu.co".'
      ),
      { ...base, fatal: true, retryable: false }
    )
  }
  if (error instanceof ConnectionError || network !== undefined) {
    const reason = network ?? 'connection failed'
    return new NovuApiError(
      'network',
      scrub(
        `${what}: could not reach Novu (${reason}). Check the api-url ` +
          "input and the runner's network access."
      ),
      base
    )
  }

  const text = errorMessage(error)
  return new NovuApiError('unknown', scrub(`${what}: ${clip(text)}`), base)
}

interface HttpFailure {
  statusCode: number
  body: string
  headers?: Headers
  contentType?: string
}

function isHttpFailure(error: unknown): error is HttpFailure {
  if (error instanceof NovuError) return true
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as HttpFailure).statusCode === 'number' &&
    typeof (error as HttpFailure).body === 'string'
  )
}

function fromHttpFailure(
  failure: HttpFailure,
  context: ErrorContext,
  what: string,
  scrub: (text: string) => string
): NovuApiError {
  const status = failure.statusCode
  const body = readBody(failure.body, failure.contentType ?? '')
  const reason = scrub(body.reason)
  const retryAfterSeconds = parseRetryAfter(failure.headers?.get('retry-after'))
  const details = {
    status,
    workflowId: context.workflowId,
    retryAfterSeconds,
    cause: undefined
  }
  const say = (kind: NovuErrorKind, text: string): NovuApiError =>
    new NovuApiError(kind, scrub(`${what}: ${text}`), details)

  if (body.html) return fromProxyPage(status, say)

  switch (true) {
    case status === 401:
      return say(
        'unauthorized',
        `Novu refused the secret key (HTTP 401${suffix(reason)}). Check ` +
          'that the secret-key input holds the secret key of the ' +
          'Development environment, and that api-url matches its region: ' +
          'keys of EU organisations need https://eu.api.novu.co.'
      )
    case status === 403:
      return say(
        'forbidden',
        `Novu does not allow this (HTTP 403${suffix(reason)}). The key or ` +
          "the organisation's plan lacks the permission for it."
      )
    case status === 404:
      return notFound(say, body, reason)
    case status === 408:
      return say(
        'timeout',
        `Novu gave up waiting for the request (HTTP 408). Run again later.`
      )
    case status === 422:
      return say(
        'validation',
        `Novu rejected the request (HTTP 422): ${reason || 'invalid body'}. ` +
          'Fix these fields in the definition.'
      )
    case status === 400 && /workflow limit/i.test(reason):
      return say(
        'workflow-limit',
        `the workflow limit of the Novu plan is reached (${reason}). ` +
          'Delete unused workflows or upgrade the plan; trying again ' +
          'will not help.'
      )
    case status === 400 || status === 409:
      return say(
        'rule',
        `Novu refused the change (HTTP ${status}${suffix(reason)}). ` +
          'Change the definition, or the workflow in Novu, so that the ' +
          'rule holds.'
      )
    case status === 413 || status === 414 || status === 431:
      return say(
        'too-large',
        `the request is too large for Novu or a proxy in front of it ` +
          `(HTTP ${status}${suffix(reason)}). Shorten the workflow's ` +
          "content, or raise the proxy's size limit on a self-hosted Novu."
      )
    case status === 429:
      return say(
        'throttled',
        `Novu is rate limiting the requests (HTTP 429${suffix(reason)}). ` +
          'Lower the concurrency input or run again later.'
      )
    case status >= 500:
      return say(
        'server',
        `Novu failed to handle the request (HTTP ${status}` +
          `${suffix(reason)}). Run again later; if it persists, check ` +
          "Novu's status page."
      )
    default:
      return say('unknown', `HTTP ${status}${suffix(reason)}.`)
  }
}

/**
 * A proxy or load balancer answered, not Novu: its page says nothing a
 * log reader can use and may be long, so only the status is kept. The
 * status still decides whether waiting helps.
 */
function fromProxyPage(
  status: number,
  say: (kind: NovuErrorKind, text: string) => NovuApiError
): NovuApiError {
  const page = `HTTP ${status} from a proxy (HTML body)`
  if (status === 404) {
    return say(
      'route-not-found',
      `${page}. Check the api-url input: it must be the base URL of the ` +
        'Novu API.'
    )
  }
  if (status === 413 || status === 414 || status === 431) {
    return say(
      'too-large',
      `${page}: the request is too large for a proxy in front of Novu. ` +
        "Shorten the workflow's content, or raise the proxy's size limit " +
        'on a self-hosted Novu.'
    )
  }
  if (status === 429) {
    return say(
      'throttled',
      `${page}: a proxy is rate limiting the requests. Lower the ` +
        'concurrency input or run again later.'
    )
  }
  // Every later request would meet the same gate, so the run stops.
  if (status === 401 || status === 403) {
    return say(
      'unauthorized',
      `${page}: a proxy refused the request before it reached Novu. ` +
        'Check the api-url input and any access rules in front of Novu.'
    )
  }
  if (status === 408 || status >= 500) {
    return say(
      status === 408 ? 'timeout' : 'server',
      `${page}. Something between the runner and Novu failed; run again ` +
        'later.'
    )
  }
  return say('unknown', `${page}. Check the api-url input.`)
}

/**
 * Novu answers 404 both for a workflow it does not hold and, through its
 * web framework, for a path it has no route for. Only the first means
 * "create it"; the second means the base URL or the server is wrong.
 */
function notFound(
  say: (kind: NovuErrorKind, text: string) => NovuApiError,
  body: ParsedBody,
  reason: string
): NovuApiError {
  if (/workflow.*(cannot be found|not found|does not exist)/i.test(reason)) {
    return say('workflow-not-found', `Novu holds no such workflow (${reason}).`)
  }
  if (/environment.*(cannot be found|not found|does not exist)/i.test(reason)) {
    return say(
      'environment-not-found',
      `Novu holds no such environment (${reason}): it was deleted while ` +
        'the action ran, or "target-environments" names one that is ' +
        'gone. Check the environments in Novu and run again.'
    )
  }
  if (!body.json || /^cannot (get|post|put|patch|delete)\b/i.test(reason)) {
    return say(
      'route-not-found',
      `Novu has no such API route (HTTP 404${suffix(reason)}). Check the ` +
        'api-url input: it must be the base URL of the Novu API without a ' +
        'version path (https://api.novu.co, not one ending in /v1), and a ' +
        'self-hosted Novu must be recent enough to serve /v2/workflows.'
    )
  }
  return say(
    'unknown',
    `Novu could not find what the request names (HTTP 404: ${reason}). ` +
      'Check the workflow ids and environment names given to the action.'
  )
}

interface ParsedBody {
  json: boolean
  html: boolean
  /** One line describing why, from whichever shape the body had. */
  reason: string
}

/**
 * Novu's error bodies come as `{ message: string }`, as `{ message:
 * string[] }` from request validation, as `{ errors: { field: { messages
 * } } }` for 422, with extra facts under `ctx`, or as a bare string; a
 * proxy in front of it sends HTML.
 */
function readBody(text: string, contentType: string): ParsedBody {
  const trimmed = text.trim()
  const markup = /^<(!doctype|html|\?xml|head|body)/i
  if (/text\/html/i.test(contentType) || markup.test(trimmed)) {
    return { json: false, html: true, reason: '' }
  }
  let value: unknown
  try {
    value = JSON.parse(trimmed)
  } catch {
    return { json: false, html: false, reason: clip(firstLine(trimmed)) }
  }
  return { json: true, html: false, reason: clip(describeValue(value)) }
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return value
  if (Array.isArray(value)) return value.map(describeValue).join('; ')
  if (value === undefined || value === null) return ''
  if (typeof value !== 'object') {
    return typeof value === 'symbol' ? value.toString() : `${value as number}`
  }

  const record = value as Record<string, unknown>
  const parts: string[] = []
  const errors = record.errors
  if (typeof errors === 'object' && errors !== null && !Array.isArray(errors)) {
    for (const [field, entry] of Object.entries(errors)) {
      parts.push(`${field}: ${describeFieldError(entry)}`)
    }
  } else if (Array.isArray(errors)) {
    parts.push(errors.map(describeValue).join('; '))
  }
  if (parts.length === 0 && record.message !== undefined) {
    parts.push(describeValue(record.message))
  }
  if (parts.length === 0 && typeof record.error === 'string') {
    parts.push(record.error)
  }
  const ctx = record.ctx
  if (typeof ctx === 'object' && ctx !== null) {
    const facts = Object.entries(ctx)
      .filter(([, fact]) => SCALARS.includes(typeof fact))
      .map(([key, fact]) => `${key}: ${String(fact)}`)
    if (facts.length > 0) parts.push(`(${facts.join(', ')})`)
  }
  return parts.join(' ')
}

const SCALARS = ['string', 'number', 'boolean']

function describeFieldError(entry: unknown): string {
  if (typeof entry === 'object' && entry !== null && !Array.isArray(entry)) {
    const messages = (entry as Record<string, unknown>).messages
    if (messages !== undefined) return describeValue(messages)
  }
  return describeValue(entry)
}

function describeOperation(context: ErrorContext): string {
  const target =
    context.workflowId === undefined ? '' : ` "${context.workflowId}"`
  return `Could not ${context.operation}${target}`
}

function suffix(reason: string): string {
  return reason === '' ? '' : `: ${reason}`
}

function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0] ?? ''
}

function clip(text: string, max = 500): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

export function parseRetryAfter(
  value: string | null | undefined
): number | undefined {
  if (value === null || value === undefined || value.trim() === '') {
    return undefined
  }
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds)
  const date = Date.parse(value)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, (date - Date.now()) / 1000)
}

// Checked by name, not by class: `fetch` throws DOMExceptions and errors
// of its own realm, which fail `instanceof Error` in other realms.
function isTimeout(error: unknown): boolean {
  return errorName(error) === 'TimeoutError'
}

function errorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const name = (error as { name?: unknown }).name
  return typeof name === 'string' ? name : undefined
}

function errorMessage(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const message = (error as { message?: unknown }).message
    if (typeof message === 'string') return message
  }
  return String(error)
}

// All of these are retried within the retry budget, ECONNREFUSED too:
// Novu's servers refuse connections only briefly, during a restart, though
// a wrong port on a self-hosted URL then takes the whole budget to report.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT'
])

/** The system error code of a failed `fetch` (its cause chain). */
function networkCode(error: unknown): string | undefined {
  let current: unknown = error
  for (let depth = 0; depth < 5 && current !== undefined; depth += 1) {
    if (typeof current !== 'object' || current === null) return undefined
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code
    current = (current as { cause?: unknown }).cause
  }
  const failedFetch = /fetch failed/i.test(errorMessage(error))
  if (errorName(error) === 'TypeError' && failedFetch) {
    return 'fetch failed'
  }
  return undefined
}

/**
 * Blanks the secret key out of text that may echo a request (an
 * `Authorization` header, a URL, a proxy's error page).
 */
export function scrubSecrets(
  text: string,
  secrets: readonly string[] = []
): string {
  let result = text
  for (const secret of secrets) {
    if (secret.length >= 4) result = result.split(secret).join('***')
  }
  return result.replace(/(ApiKey|Bearer)\s+[^\s"',;]+/gi, '$1 ***')
}
