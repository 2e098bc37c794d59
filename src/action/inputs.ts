import * as core from '@actions/core'
import { context } from '@actions/github'
import type { Mode } from '../engine/model.js'
import {
  checkSecretKey,
  normaliseApiUrl,
  parseConcurrency,
  parseExportFormat,
  parseMilliseconds,
  parseMode,
  splitList,
  type EngineSettings
} from '../engine/settings.js'

// Not inputs: the defaults suit every runner, and tests that inject hung
// connections need seconds, not the half minute a real network deserves.
const TIMEOUT_VARIABLE = 'NOVU_REQUEST_TIMEOUT_MS'
const RETRY_BUDGET_VARIABLE = 'NOVU_RETRY_BUDGET_MS'

export interface ActionInputs extends EngineSettings {
  githubToken: string
  /** Fail a plan that finds differences: a drift check. */
  failOnChanges: boolean
  /** Why the run fell back to `validate`; unset when it did not. */
  fallback?: string
}

/** What the triggering event says about where secrets are withheld. */
export interface EventFacts {
  eventName: string
  actor: string
  payload: { pull_request?: { [key: string]: unknown } }
}

/**
 * Reads every input once, into one typed object. The secret key is
 * masked before anything else runs, so that no later log line, error or
 * debug echo can print it.
 */
export function readInputs(): ActionInputs {
  const secretKey = core.getInput('secret-key')
  if (secretKey !== '') core.setSecret(secretKey)
  checkSecretKey(secretKey)

  let mode: Mode = parseMode(core.getInput('mode'))
  let fallback: string | undefined
  const withheld = secretKey === '' ? withheldSecret(context) : undefined
  if (withheld !== undefined && mode !== 'validate') {
    fallback =
      `${withheld} Falling back from "mode: ${mode}" to "mode: validate", ` +
      'which checks the definition files offline and sends nothing to Novu.'
    core.warning(fallback)
    mode = 'validate'
  }
  const allowInsecure = booleanInput('allow-insecure-http')
  const apiUrl = normaliseApiUrl(
    core.getInput('api-url') || 'https://api.novu.co',
    allowInsecure
  )
  if (secretKey === '' && mode !== 'validate') {
    throw new Error(
      `Input "secret-key" is empty, and mode "${mode}" talks to Novu. ` +
        'Pass the Development secret key from a repository secret, ' +
        'such as "secret-key: ${{ secrets.NOVU_SECRET_KEY }}", or use ' +
        '"mode: validate" to check the files offline.'
    )
  }

  return {
    mode,
    apiUrl,
    secretKey,
    workflowGlobs: splitList(core.getInput('workflows'), false),
    workflowIds: splitList(core.getInput('workflow-ids')),
    targetEnvironments: splitList(core.getInput('target-environments')),
    concurrency: parseConcurrency(core.getInput('concurrency')),
    promoteWithIssues: booleanInput('promote-with-issues'),
    failFast: booleanInput('fail-fast'),
    prune: booleanInput('prune'),
    manager: core.getInput('manager'),
    exportDir: core.getInput('export-dir'),
    exportFormat: parseExportFormat(core.getInput('export-format')),
    requestTimeoutMs: parseMilliseconds(
      TIMEOUT_VARIABLE,
      process.env[TIMEOUT_VARIABLE]
    ),
    retryBudgetMs: parseMilliseconds(
      RETRY_BUDGET_VARIABLE,
      process.env[RETRY_BUDGET_VARIABLE]
    ),
    githubToken: core.getInput('github-token'),
    failOnChanges: booleanInput('fail-on-changes'),
    ...(fallback !== undefined && { fallback }),
    cwd: process.env.GITHUB_WORKSPACE || process.cwd()
  }
}

/**
 * A true/false input. Runners fill in action.yml's defaults, but a run
 * driven by `INPUT_*` variables (the demo, other CI systems) may leave
 * one out, which the toolkit's own reader treats as an error.
 */
function booleanInput(name: string): boolean {
  const value = core.getInput(name).toLowerCase()
  if (value === '' || value === 'false') return false
  if (value === 'true') return true
  throw new Error(`Input "${name}" is "${value}"; use "true" or "false".`)
}

/**
 * Why GitHub gave this run no secret, when the event explains it: pull
 * requests from forks and runs started by Dependabot get an empty value
 * for every repository secret. `undefined` when an empty key is a
 * configuration mistake instead.
 */
export function withheldSecret(event: EventFacts): string | undefined {
  const pull = event.payload.pull_request
  const head = repositoryOf(pull?.head)
  const base = repositoryOf(pull?.base)
  if (
    event.eventName === 'pull_request' &&
    head !== undefined &&
    base !== undefined &&
    head !== base
  ) {
    return (
      `Input "secret-key" is empty because this pull request comes from ` +
      `the fork "${head}", and GitHub gives no secrets to workflows run ` +
      'for forks.'
    )
  }
  if (event.actor === 'dependabot[bot]') {
    return (
      'Input "secret-key" is empty because Dependabot started this run, ' +
      'and GitHub gives such runs only Dependabot secrets. To plan or ' +
      'deploy here, add the key under Settings → Secrets → Dependabot.'
    )
  }
  return undefined
}

/** `owner/name` of a pull request's head or base, as the event gives it. */
function repositoryOf(side: unknown): string | undefined {
  if (typeof side !== 'object' || side === null) return undefined
  const repo = (side as { repo?: unknown }).repo
  if (typeof repo !== 'object' || repo === null) return undefined
  const name = (repo as { full_name?: unknown }).full_name
  return typeof name === 'string' ? name : undefined
}
