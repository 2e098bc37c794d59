/**
 * Plans and offline validation, run through the bundled action against
 * the local Novu stand-in: a plan names what a deploy would change and
 * writes nothing, and a deploy writes exactly what the plan named.
 */
import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  test
} from '@jest/globals'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { createServer as createHttpServer } from 'node:http'
import { createServer } from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { exampleWorkspace } from './support/workspace.js'
import { runAction, type ActionRun } from '../scripts/runner.js'
import { startStandIn, type StandIn } from '../stand-in/server.js'

const GLOB = 'novu/workflows/**/*.{json,yaml,yml}'

let novu: StandIn
let workspace: string

beforeAll(async () => {
  novu = await startStandIn()
  workspace = await exampleWorkspace('plan')
})

afterAll(async () => {
  await novu.close()
  await rm(workspace, { recursive: true, force: true })
})

beforeEach(() => novu.resetRequests())

function action(
  inputs: Record<string, string> = {},
  env: Record<string, string> = {},
  cwd = workspace
): Promise<ActionRun> {
  return runAction({
    workspace: cwd,
    env,
    inputs: {
      'secret-key': novu.secretKey('Development'),
      'api-url': novu.url,
      workflows: GLOB,
      'target-environments': 'Staging\nProduction',
      ...inputs
    }
  })
}

const plan = (inputs: Record<string, string> = {}): Promise<ActionRun> =>
  action({ mode: 'plan', ...inputs })

/** Requests that change Novu; the environment diff is a POST that reads. */

async function edit(
  file: string,
  from: string | RegExp,
  to: string
): Promise<void> {
  const full = path.join(workspace, 'novu/workflows', file)
  const text = await readFile(full, 'utf8')
  const edited = text.replace(from, to)
  expect(edited).not.toBe(text)
  await writeFile(full, edited)
}

interface ReportedWorkflow {
  workflowId: string
  development?: { outcome: string; changes: Array<{ path: string }> }
  promotions: Array<{
    environment: string
    outcome: string
    changes: Array<{ path: string }>
  }>
}

function reported(run: ActionRun): ReportedWorkflow[] {
  return (run.report as { workflows: ReportedWorkflow[] }).workflows
}

function outcomes(run: ActionRun): Record<string, string[]> {
  return Object.fromEntries(
    reported(run).map((w) => [
      w.workflowId,
      [w.development?.outcome ?? '', ...w.promotions.map((p) => p.outcome)]
    ])
  )
}

describe('plan', () => {
  test('against an empty Novu: every workflow to create, nothing written', async () => {
    const run = await plan()

    expect(run.exitCode).toBe(0)
    expect(novu.writes()).toEqual([])
    const all = Object.values(outcomes(run))
    expect(all.length).toBeGreaterThan(0)
    // A plan's counts say what a deploy would do.
    expect(run.outputs).toMatchObject({
      created: String(all.length),
      updated: '0',
      synced: String(all.length * 2),
      'has-changes': 'true'
    })
    for (const row of all) {
      expect(row).toEqual(['would-create', 'would-sync', 'would-sync'])
    }
    expect(run.summary).toContain(`**${all.length} to create**`)
    expect(run.summary).toContain(`Production: ${all.length} behind`)
    expect(novu.workflows('Development')).toEqual([])
  })

  test('right after a deploy: no changes', async () => {
    const deploy = await action()
    expect(deploy.exitCode).toBe(0)
    novu.resetRequests()

    const run = await plan()

    expect(run.exitCode).toBe(0)
    expect(novu.writes()).toEqual([])
    expect(run.outputs['has-changes']).toBe('false')
    for (const row of Object.values(outcomes(run))) {
      expect(row).toEqual(['unchanged', 'in-sync', 'in-sync'])
    }
    expect(run.summary).toContain('**0 to create** · **0 to update**')
  })

  test('after edits: names each changed workflow and field, writes nothing; a deploy then writes just that', async () => {
    await edit(
      'order-shipped.json',
      '"severity": "medium"',
      '"severity": "high"'
    )
    await edit(
      'weekly-digest.yaml',
      'name: Comment in the inbox',
      'name: New comment in the inbox'
    )
    await edit('weekly-digest.yaml', '- engagement', '- engagement\n  - weekly')

    const run = await plan()

    expect(run.exitCode).toBe(0)
    expect(novu.writes()).toEqual([])
    expect(run.outputs).toMatchObject({
      'has-changes': 'true',
      created: '0',
      updated: '2',
      synced: '4'
    })
    const rows = outcomes(run)
    expect(rows['order-shipped']).toEqual([
      'would-update',
      'would-sync',
      'would-sync'
    ])
    expect(rows['weekly-activity-digest']).toEqual([
      'would-update',
      'would-sync',
      'would-sync'
    ])
    const unchanged = Object.entries(rows).filter(
      ([id]) => id !== 'order-shipped' && id !== 'weekly-activity-digest'
    )
    for (const [, row] of unchanged) {
      expect(row).toEqual(['unchanged', 'in-sync', 'in-sync'])
    }

    const paths = Object.fromEntries(
      reported(run).map((w) => [
        w.workflowId,
        w.development?.changes.map((c) => c.path)
      ])
    )
    expect(paths['order-shipped']).toEqual(['severity'])
    expect(paths['weekly-activity-digest']).toEqual(
      expect.arrayContaining([
        'tags',
        expect.stringMatching(/new-comment-inbox.*name/)
      ])
    )
    // The targets lag behind by the same fields.
    const production = reported(run)
      .find((w) => w.workflowId === 'order-shipped')!
      .promotions.find((p) => p.environment === 'Production')!
    expect(production.changes.map((c) => c.path)).toEqual(['severity'])

    expect(run.summary).toContain('**0 to create** · **2 to update**')
    expect(run.summary).toContain('Staging: 2 behind')
    expect(run.summary).toMatch(/<details><summary><code>order-shipped<\/code>/)
    expect(run.summary).toContain('`severity`: "medium" → "high"')
    expect(run.summary).toContain(
      '"Comment in the inbox" → "New comment in the inbox"'
    )

    novu.resetRequests()
    const deploy = await action()
    expect(deploy.exitCode).toBe(0)
    expect(novu.writes().sort()).toEqual(
      [
        'PUT /v2/workflows/order-shipped',
        'PUT /v2/workflows/order-shipped/sync',
        'PUT /v2/workflows/order-shipped/sync',
        'PUT /v2/workflows/weekly-activity-digest',
        'PUT /v2/workflows/weekly-activity-digest/sync',
        'PUT /v2/workflows/weekly-activity-digest/sync'
      ].sort()
    )

    novu.resetRequests()
    const after = await plan()
    expect(after.outputs['has-changes']).toBe('false')
    expect(novu.writes()).toEqual([])
  })

  test('a target edited by hand is behind; a deploy syncs only that', async () => {
    const held = novu.workflow('Staging', 'order-shipped')!
    novu.seed('Staging', {
      ...held,
      description: held.description,
      name: 'Order shipped (edited in the dashboard)',
      steps: held.steps.map((step) => ({
        stepId: step.stepId,
        name: step.name,
        type: step.type,
        controlValues: step.controlValues
      }))
    })

    const run = await plan()

    expect(novu.writes()).toEqual([])
    expect(run.outputs['has-changes']).toBe('true')
    expect(outcomes(run)['order-shipped']).toEqual([
      'unchanged',
      'would-sync',
      'in-sync'
    ])
    const staging = reported(run)
      .find((w) => w.workflowId === 'order-shipped')!
      .promotions.find((p) => p.environment === 'Staging')!
    expect(staging.changes.map((c) => c.path)).toEqual(['name'])
    expect(run.summary).toContain('Staging: 1 behind · Production: 0 behind')

    novu.resetRequests()
    const deploy = await action()
    expect(deploy.exitCode).toBe(0)
    expect(novu.writes()).toEqual(['PUT /v2/workflows/order-shipped/sync'])
    expect(novu.workflow('Staging', 'order-shipped')!.name).toBe(
      'Order shipped'
    )
  })

  test('fail-on-changes: a drift check fails with has-changes still true', async () => {
    await edit('order-shipped.json', '"severity": "high"', '"severity": "low"')

    const run = await plan({ 'fail-on-changes': 'true' })

    expect(run.exitCode).toBe(1)
    expect(novu.writes()).toEqual([])
    expect(run.outputs['has-changes']).toBe('true')
    expect(run.stdout).toMatch(/::error::.*differs.*fail-on-changes/)

    const quiet = await plan({ 'fail-on-changes': 'false' })
    expect(quiet.exitCode).toBe(0)
  })
})

/** A loopback port that nothing listens on: any request would fail. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

describe('validate', () => {
  test('offline: no secret, no request', async () => {
    const port = await closedPort()
    const run = await action({
      mode: 'validate',
      'secret-key': '',
      'api-url': `http://127.0.0.1:${port}`
    })

    expect(run.exitCode).toBe(0)
    expect(novu.requests).toEqual([])
    expect(run.outputs['has-changes']).toBe('false')
    expect(run.summary).toMatch(/\*\*\d+ definitions valid\*\*/)
  })

  test('reports the same errors as a deploy', async () => {
    const bad = path.join(workspace, 'novu/workflows/zz-bad.yaml')
    await writeFile(
      bad,
      'workflowId: bad-one\nname: Bad\nsteps:\n  - stepId: a\n' +
        '    type: in_app\n    controlValues:\n      subjct: Hi\n'
    )
    try {
      const port = await closedPort()
      const validate = await action({
        mode: 'validate',
        'secret-key': '',
        'api-url': `http://127.0.0.1:${port}`
      })
      const deploy = await action()

      expect(validate.exitCode).toBe(1)
      expect(deploy.exitCode).toBe(1)
      expect(novu.requests).toEqual([])
      const errors = (run: ActionRun): string[] =>
        run.stdout.split('\n').filter((line) => line.startsWith('::error '))
      expect(errors(validate).length).toBeGreaterThan(0)
      expect(errors(validate)).toEqual(errors(deploy))
    } finally {
      await rm(bad)
    }
  })
})

describe('pull requests without the secret', () => {
  async function event(payload: unknown): Promise<string> {
    const file = path.join(workspace, '..', `event-${Date.now()}.json`)
    await writeFile(file, JSON.stringify(payload))
    return file
  }

  test('a fork pull request falls back to validate, and says why', async () => {
    const file = await event({
      pull_request: {
        number: 7,
        head: { repo: { full_name: 'stranger/app' } },
        base: { repo: { full_name: 'acme/app' } }
      },
      repository: { full_name: 'acme/app' }
    })
    try {
      const run = await action(
        { mode: 'plan', 'secret-key': '' },
        {
          GITHUB_EVENT_NAME: 'pull_request',
          GITHUB_EVENT_PATH: file,
          GITHUB_REPOSITORY: 'acme/app',
          GITHUB_ACTOR: 'stranger'
        }
      )
      expect(run.exitCode).toBe(0)
      expect(novu.requests).toEqual([])
      expect(run.stdout).toMatch(/::warning::.*fork.*validate/i)
      expect(run.stdout).not.toContain('Input required')
      expect(run.summary).toContain('Validation')
    } finally {
      await rm(file)
    }
  })

  test('Dependabot falls back to validate', async () => {
    const run = await action(
      { mode: 'deploy', 'secret-key': '' },
      { GITHUB_EVENT_NAME: 'push', GITHUB_ACTOR: 'dependabot[bot]' }
    )
    expect(run.exitCode).toBe(0)
    expect(novu.requests).toEqual([])
    expect(run.stdout).toMatch(/::warning::.*Dependabot.*validate/)
  })

  test('an empty secret elsewhere is still an error', async () => {
    const run = await action(
      { mode: 'plan', 'secret-key': '' },
      { GITHUB_EVENT_NAME: 'push', GITHUB_ACTOR: 'octocat' }
    )
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain('Input "secret-key" is empty')
  })
})

describe('the pull-request comment, from the bundled action', () => {
  const EVENT = fileURLToPath(
    new URL('./fixtures/github/pull-request-event.json', import.meta.url)
  )

  /** A loopback GitHub that holds no comments and answers writes. */
  async function withGitHub(
    status: number,
    work: (url: string, posted: string[]) => Promise<void>
  ): Promise<void> {
    const posted: string[] = []
    const server = createHttpServer((req, res) => {
      let text = ''
      req.on('data', (chunk: Buffer) => (text += chunk.toString()))
      req.on('end', () => {
        res.setHeader('content-type', 'application/json')
        if (req.method === 'GET') {
          res.end('[]')
          return
        }
        posted.push(`${req.method} ${req.url}`)
        res.statusCode = status
        res.end(
          status === 201
            ? JSON.stringify({ id: 1, body: JSON.parse(text).body })
            : JSON.stringify({
                message: 'Resource not accessible by integration'
              })
        )
      })
    })
    await new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve())
    )
    const { port } = server.address() as { port: number }
    try {
      await work(`http://127.0.0.1:${port}`, posted)
    } finally {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }

  const pullRequestEnv = (apiUrl: string): Record<string, string> => ({
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: EVENT,
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_API_URL: apiUrl,
    GITHUB_WORKFLOW: 'Novu workflows',
    GITHUB_JOB: 'plan'
  })

  test('a plan with changes comments on the pull request', async () => {
    await edit('order-shipped.json', '"severity": "low"', '"severity": "none"')
    await withGitHub(201, async (apiUrl, posted) => {
      const run = await action(
        { mode: 'plan', 'github-token': 'test-token' },
        pullRequestEnv(apiUrl)
      )
      expect(run.exitCode).toBe(0)
      expect(novu.writes()).toEqual([])
      expect(posted).toEqual(['POST /repos/acme/app/issues/7/comments'])
      expect(run.stdout).toContain('Commented on pull request #7')
    })
  })

  test('a read-only token is a warning, not a failed run', async () => {
    await withGitHub(403, async (apiUrl, posted) => {
      const run = await action(
        { mode: 'plan', 'github-token': 'test-token' },
        pullRequestEnv(apiUrl)
      )
      expect(run.exitCode).toBe(0)
      expect(posted).toEqual(['POST /repos/acme/app/issues/7/comments'])
      expect(run.stdout).toMatch(
        /::warning::Could not comment on pull request #7: GitHub answered 403.*pull-requests: write/
      )
    })
  })
})
