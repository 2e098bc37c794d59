import * as core from '@actions/core'
import {
  normaliseApiUrl,
  parseConcurrency,
  parseMode,
  splitList,
  type EngineSettings
} from '../engine/settings.js'

export interface ActionInputs extends EngineSettings {
  githubToken: string
}

/**
 * Reads every input once, into one typed object. The secret key is
 * masked before anything else runs, so that no later log line, error or
 * debug echo can print it.
 */
export function readInputs(): ActionInputs {
  const secretKey = core.getInput('secret-key')
  if (secretKey !== '') core.setSecret(secretKey)

  const mode = parseMode(core.getInput('mode'))
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
    githubToken: core.getInput('github-token'),
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
