/**
 * The bundled CLI (`dist/cli/index.js`) run as a user runs it, against the
 * stand-in, next to the bundled action on the same files.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { rm } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { RunResult } from '../src/engine/model.js'
import { exampleWorkspace } from './support/workspace.js'
import { runAction, runScript, type ScriptRun } from '../scripts/runner.js'
import { startStandIn, type StandIn } from '../stand-in/server.js'

const CLI = fileURLToPath(new URL('../dist/cli/index.js', import.meta.url))
const GLOB = 'novu/workflows/**/*.{json,yaml,yml}'

let novu: StandIn
let workspace: string

beforeAll(async () => {
  novu = await startStandIn()
  workspace = await exampleWorkspace('cli')
})

afterAll(async () => {
  await novu.close()
  await rm(workspace, { recursive: true, force: true })
})

function cli(args: string[], withKey = true): Promise<ScriptRun> {
  return runScript(CLI, args, {
    cwd: workspace,
    env: {
      PATH: process.env.PATH ?? '',
      ...(withKey && { NOVU_SECRET_KEY: novu.secretKey('Development') })
    }
  })
}

const remote = (): string[] => [
  '--api-url',
  novu.url,
  '--workflows',
  GLOB,
  '--targets',
  'Staging,Production'
]

describe('novu-workflows CLI', () => {
  test('validate works offline and exits 0', async () => {
    const run = await cli(['validate', '--workflows', GLOB], false)

    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)
    expect(run.stdout.split('\n')[0]).toBe('6 definitions valid')
  })

  test('its plan prints the counts the action plan prints', async () => {
    const action = await runAction({
      workspace,
      inputs: {
        'secret-key': novu.secretKey('Development'),
        'api-url': novu.url,
        workflows: GLOB,
        mode: 'plan',
        'target-environments': 'Staging\nProduction'
      }
    })
    const run = await cli(['plan', ...remote()])
    const json = await cli(['plan', ...remote(), '--json'])

    expect(action.exitCode).toBe(0)
    expect(run.exitCode).toBe(2)
    const headline = run.stdout.split('\n')[0] ?? ''
    expect(headline).toBe(
      '6 to create · 0 to update · 0 unchanged · Staging: 6 behind · ' +
        'Production: 6 behind'
    )
    const actionHeadline = action.summary
      .split('\n')
      .find((line) => line.includes('to create'))
    expect(actionHeadline?.replace(/\*\*/g, '')).toBe(headline)
    expect(run.stdout).toContain(
      '  order-shipped: would-create, Staging: would-sync, ' +
        'Production: would-sync'
    )

    expect(json.exitCode).toBe(2)
    const result = JSON.parse(json.stdout) as RunResult
    expect(result.counts).toEqual((action.report as RunResult).counts)
    expect(result.workflows.map((w) => w.development?.outcome)).toEqual(
      (action.report as RunResult).workflows.map((w) => w.development?.outcome)
    )
  })

  test('deploy exits 0, then a plan finds nothing and exits 0', async () => {
    const deploy = await cli(['deploy', ...remote()])
    expect(deploy.exitCode).toBe(0)
    expect(deploy.stdout.split('\n')[0]).toBe(
      '6 created · 0 updated · 0 unchanged · 12 synced · 0 failed'
    )

    const plan = await cli(['plan', ...remote()])
    expect(plan.exitCode).toBe(0)
    expect(plan.stdout.split('\n')[0]).toContain('0 to create')
  })

  test('the secret key never shows, even with --verbose and in JSON', async () => {
    const key = novu.secretKey('Development')
    const runs = await Promise.all([
      cli(['plan', ...remote(), '--verbose']),
      cli(['plan', ...remote(), '--json']),
      cli(['plan', '--api-url', novu.url, '--secret-key', `${key}x`])
    ])
    for (const run of runs) {
      expect(run.stdout + run.stderr).not.toContain(key)
    }
  })

  test('errors exit 1 with what to do', async () => {
    const noKey = await cli(['plan', ...remote()], false)
    expect(noKey.exitCode).toBe(1)
    expect(noKey.stderr).toContain('NOVU_SECRET_KEY')

    const unknown = await cli(['destroy'])
    expect(unknown.exitCode).toBe(1)
    expect(unknown.stderr).toContain('Unknown command "destroy"')

    const badFlag = await cli(['plan', '--target', 'Production'])
    expect(badFlag.exitCode).toBe(1)
    expect(badFlag.stderr).toContain(
      'Unknown flag "--target"; did you mean "--targets"?'
    )
    expect(badFlag.stderr).toContain('--help')

    const insecure = await cli([
      'plan',
      '--api-url',
      'http://novu.internal.test'
    ])
    expect(insecure.exitCode).toBe(1)
    expect(insecure.stderr).toContain('Flag "--api-url" is plain http')
    expect(insecure.stderr).toContain('"--allow-insecure-http"')

    const missing = await cli(['plan', ...remote(), '--targets', 'Nowhere'])
    expect(missing.exitCode).toBe(1)
    expect(missing.stderr).toContain('"Nowhere" does not exist')
    expect(missing.stderr).toContain('fix "--targets"')

    const pruneAlone = await cli(['plan', ...remote(), '--prune'])
    expect(pruneAlone.exitCode).toBe(1)
    expect(pruneAlone.stderr).toContain('--prune needs --manager')
  })
})
