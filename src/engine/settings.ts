import type { ExportFormat, Mode } from './model.js'

export const MODES: readonly Mode[] = [
  'validate',
  'plan',
  'upsert',
  'sync',
  'deploy',
  'export'
]

/** Everything the engine needs to know, read once from inputs or flags. */
export interface EngineSettings {
  mode: Mode
  /** Base URL as `normaliseApiUrl` returns it. */
  apiUrl: string
  /** Development secret key; empty in validate mode. */
  secretKey: string
  /** Globs of definition files, relative to `cwd`. */
  workflowGlobs: string[]
  /** Only these workflow ids; empty means all. */
  workflowIds: string[]
  /** Environment names or ids, in promotion order. */
  targetEnvironments: string[]
  /** Most requests in flight; `auto` sizes it from rate-limit headers. */
  concurrency: number | 'auto'
  /** Promote workflows whose Development copy Novu marks as in error. */
  promoteWithIssues: boolean
  /** Stop starting new work after the first failed workflow. */
  failFast: boolean
  /** Per request; the gateway's default (30 s) when unset. */
  requestTimeoutMs?: number
  /** Time one call may spend retrying; the gateway's default (60 s). */
  retryBudgetMs?: number
  /**
   * Delete from Development the workflows this repository manages whose
   * definition file is gone. Off unless asked for.
   */
  prune?: boolean
  /**
   * Who owns what this run writes, such as `owner/repo`: it is tagged
   * `managed-by:<manager>`, and only such workflows are pruned. Empty
   * leaves ownership tags as Novu holds them.
   */
  manager?: string
  /** Export mode: where files go; empty derives it from the first glob. */
  exportDir?: string
  exportFormat?: ExportFormat
  cwd: string
}

/** Thrown for settings that cannot work; the message says what to do. */
export class SettingsError extends Error {
  override name = 'SettingsError'
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1'])

/**
 * The API's base URL as the SDK wants it. People paste the URL of a
 * versioned route (`…/v1`) or add a trailing slash; both would make every
 * route 404, which Novu reports like a missing workflow.
 *
 * Plain `http://` is refused for anything but this machine unless the
 * user says the server is theirs: the secret key travels in a header.
 */
export function normaliseApiUrl(raw: string, allowInsecure = false): string {
  const text = raw.trim()
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new SettingsError(
      `Input "api-url" is "${text}", which is not a URL. ` +
        'Use the API base URL, such as "https://api.novu.co" or ' +
        '"https://eu.api.novu.co".'
    )
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new SettingsError(
      `Input "api-url" uses "${url.protocol}"; use an https:// URL.`
    )
  }
  if (
    url.protocol === 'http:' &&
    !LOOPBACK.has(url.hostname) &&
    !allowInsecure
  ) {
    throw new SettingsError(
      `Input "api-url" is plain http to "${url.hostname}", which would ` +
        'send the secret key unencrypted. Use https://, or set ' +
        '"allow-insecure-http: true" for a self-hosted server you trust.'
    )
  }
  if (url.username || url.password) {
    throw new SettingsError(
      'Input "api-url" carries credentials; pass only the base URL and ' +
        'the key in "secret-key".'
    )
  }
  const path = url.pathname.replace(/\/+$/, '').replace(/\/v[12]$/, '')
  return `${url.origin}${path.replace(/\/+$/, '')}`
}

/** Splits a list input on newlines and commas, dropping blanks. */
export function splitList(text: string, onCommas = true): string[] {
  return text
    .split(onCommas ? /[\n,]/ : /\n/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0)
}

export function parseConcurrency(text: string): number | 'auto' {
  const value = text.trim()
  if (value === '' || value === 'auto') return 'auto'
  const number = Number(value)
  if (!Number.isInteger(number) || number < 1 || number > 100) {
    throw new SettingsError(
      `Input "concurrency" is "${value}"; use "auto" or a whole number ` +
        'from 1 to 100.'
    )
  }
  return number
}

/**
 * A duration in milliseconds from an environment variable; `undefined`
 * when unset. Only tests and unusual networks need these, so they are
 * variables rather than inputs that every user would see.
 */
export function parseMilliseconds(
  name: string,
  text: string | undefined
): number | undefined {
  const value = (text ?? '').trim()
  if (value === '') return undefined
  const number = Number(value)
  if (!Number.isInteger(number) || number < 1 || number > 600_000) {
    throw new SettingsError(
      `Environment variable "${name}" is "${value}"; use a whole number ` +
        'of milliseconds from 1 to 600000, or leave it unset.'
    )
  }
  return number
}

export function parseMode(text: string): Mode {
  const value = text.trim() || 'deploy'
  if (!(MODES as readonly string[]).includes(value)) {
    throw new SettingsError(
      `Input "mode" is "${value}"; use one of ${MODES.join(', ')}.`
    )
  }
  return value as Mode
}

export function parseExportFormat(text: string): ExportFormat {
  const value = text.trim() || 'yaml'
  if (value !== 'yaml' && value !== 'json') {
    throw new SettingsError(
      `Input "export-format" is "${value}"; use "yaml" or "json".`
    )
  }
  return value
}

/**
 * Refuses a key pasted with the header scheme in front of it (`ApiKey …`,
 * `Bearer …`), which Novu would answer with a bare 401.
 */
export function checkSecretKey(key: string, name = 'Input "secret-key"'): void {
  const scheme = /^(ApiKey|Bearer)\s+/i.exec(key.trim())
  if (scheme) {
    throw new SettingsError(
      `${name} starts with "${scheme[1]} ", a header scheme; pass only ` +
        "the secret key from Novu's API keys page (the action builds the " +
        'header itself).'
    )
  }
}
