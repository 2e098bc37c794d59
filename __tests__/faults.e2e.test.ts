/**
 * The bundled action under faults: a Novu that throttles, a proxy that
 * answers with HTML error pages, connections that hang or drop, answers
 * lost after the write, answers newer than the SDK, a target that goes
 * away mid-run. Each run must end with Novu holding what the files say
 * (or a failure that says what to do), no duplicate workflow, a bounded
 * time, and the secret key in no output.
 */
import { afterEach, describe, expect, test } from '@jest/globals'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { RunResult } from '../src/engine/model.js'
import { runEngine, type EngineLogger } from '../src/engine/run.js'
import type { EngineSettings } from '../src/engine/settings.js'
import { expectSecretNowhere } from './support/secrets.js'
import { runAction, type ActionRun } from '../scripts/runner.js'
import {
  startStandIn,
  type StandIn,
  type StandInOptions
} from '../stand-in/server.js'

// Short enough that a hung request costs a test under a second, long
// enough that a loaded machine does not time out a healthy one.
const TIMEOUT_MS = 1500
const RETRY_BUDGET_MS = 8000
const ENVIRONMENTS = ['Development', 'Staging', 'Production']
const HTML_502 =
  '<html><head><title>502 Bad Gateway</title></head>' +
  '<body><center><h1>502 Bad Gateway</h1></center></body></html>'
const HTML_503 =
  '<!DOCTYPE html><html><body>Service Temporarily Unavailable</body></html>'

type Definition = {
  workflowId: string
  name: string
  steps: Array<{
    stepId: string
    name: string
    type: string
    controlValues: Record<string, unknown>
  }>
}

const DEFINITIONS: Definition[] = [
  {
    workflowId: 'account-locked',
    name: 'Account locked',
    steps: [
      {
        stepId: 'inbox',
        name: 'Inbox',
        type: 'in_app',
        controlValues: { body: 'Your account is locked.' }
      }
    ]
  },
  {
    workflowId: 'invoice-paid',
    name: 'Invoice paid',
    steps: [
      {
        stepId: 'mail',
        name: 'Receipt',
        type: 'email',
        controlValues: {
          subject: 'Receipt {{payload.number}}',
          body: '<p>Thank you.</p>'
        }
      }
    ]
  },
  {
    workflowId: 'login-code',
    name: 'Login code',
    steps: [
      {
        stepId: 'text',
        name: 'Code by SMS',
        type: 'sms',
        controlValues: { body: 'Your code is {{payload.code}}' }
      }
    ]
  }
]

let novu: StandIn | undefined
const workspaces: string[] = []

afterEach(async () => {
  await novu?.close()
  novu = undefined
  for (const dir of workspaces.splice(0)) {
    await rm(dir, { recursive: true, force: true })
  }
})

async function standIn(options: StandInOptions = {}): Promise<StandIn> {
  novu = await startStandIn(options)
  return novu
}

async function workspace(definitions = DEFINITIONS): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'novu-faults-'))
  workspaces.push(dir)
  const folder = path.join(dir, 'novu/workflows')
  await mkdir(folder, { recursive: true })
  for (const definition of definitions) {
    await writeFile(
      path.join(folder, `${definition.workflowId}.json`),
      JSON.stringify(definition, null, 2)
    )
  }
  return dir
}

async function deploy(
  server: StandIn,
  options: {
    inputs?: Record<string, string>
    env?: Record<string, string>
    definitions?: Definition[]
  } = {}
): Promise<ActionRun & { seconds: number }> {
  const started = Date.now()
  const run = await runAction({
    workspace: await workspace(options.definitions),
    env: {
      NOVU_REQUEST_TIMEOUT_MS: String(TIMEOUT_MS),
      NOVU_RETRY_BUDGET_MS: String(RETRY_BUDGET_MS),
      ...options.env
    },
    inputs: {
      'secret-key': server.secretKey('Development'),
      'api-url': server.url,
      workflows: 'novu/workflows/*.json',
      'target-environments': 'Staging\nProduction',
      ...options.inputs
    }
  })
  return { ...run, seconds: (Date.now() - started) / 1000 }
}

/** Every environment holds exactly the definitions, and nothing else. */
function expectMatchesFiles(
  server: StandIn,
  definitions = DEFINITIONS,
  environments = ENVIRONMENTS
): void {
  for (const environment of environments) {
    const held = server
      .workflows(environment)
      .map((workflow) => workflow.workflowId)
      .sort()
    expect([environment, held]).toEqual([
      environment,
      definitions.map((d) => d.workflowId).sort()
    ])
    for (const definition of definitions) {
      const workflow = server.workflow(environment, definition.workflowId)!
      expect(workflow.name).toBe(definition.name)
      expect(workflow.active).toBe(true)
      expect(
        workflow.steps.map((step) => [step.stepId, step.type, step.name])
      ).toEqual(
        definition.steps.map((step) => [step.stepId, step.type, step.name])
      )
      for (const [index, step] of definition.steps.entries()) {
        expect(workflow.steps[index]!.controlValues).toMatchObject(
          step.controlValues
        )
      }
    }
  }
}

/** No suffixed copy (`id-ab12`) of a managed workflow anywhere. */
function expectNoDuplicates(server: StandIn): void {
  for (const environment of ENVIRONMENTS) {
    for (const workflow of server.workflows(environment)) {
      expect(workflow.workflowId).not.toMatch(
        /^(account-locked|invoice-paid|login-code)-[0-9a-f]{4}$/
      )
    }
  }
}

function posts(server: StandIn): number {
  return server.requests.filter(
    (r) => r.method === 'POST' && /^\/v2\/workflows(\?|$)/.test(r.path)
  ).length
}

function report(run: ActionRun): RunResult {
  return run.report as RunResult
}

describe('passing faults: retried, and Novu ends as the files say', () => {
  test('a storm of 429s with Retry-After', async () => {
    const server = await standIn()
    const throttled = {
      status: 429,
      body: { statusCode: 429, message: 'API rate limit exceeded' },
      headers: { 'Retry-After': '1' }
    }
    // A few on the reads one after another, most on the syncs that run
    // side by side: one pause must hold them all back.
    server.addFault({ method: 'GET', kind: throttled, times: 3 })
    server.addFault({ method: 'PUT', path: /sync/, kind: throttled, times: 12 })

    const run = await deploy(server)

    expect(run.exitCode).toBe(0)
    expectMatchesFiles(server)
    expectNoDuplicates(server)
    expect(report(run).requests?.throttled).toBe(15)
    expect(run.outputs).toMatchObject({ created: '3', synced: '6' })
    expect(run.seconds).toBeLessThan(20)
  })

  test('a real token bucket, many workflows', async () => {
    const server = await standIn({ rateLimitPerSecond: 5 })
    const many = Array.from({ length: 12 }, (_, index) => ({
      ...DEFINITIONS[index % 3]!,
      workflowId: `bulk-${String(index).padStart(2, '0')}`,
      name: `Bulk ${index}`
    }))

    const run = await deploy(server, { definitions: many })

    expect(run.exitCode).toBe(0)
    expectMatchesFiles(server, many)
    expect(run.outputs).toMatchObject({ created: '12', synced: '24' })
    expect(run.seconds).toBeLessThan(30)
  }, 40_000)

  test('bursts of 502 and 503 with HTML pages from a proxy', async () => {
    const server = await standIn()
    server.addFault({ method: 'GET', kind: { status: 502, body: HTML_502 } })
    server.addFault({
      method: 'POST',
      path: /^\/v2\/workflows$/,
      kind: { status: 503, body: HTML_503 },
      times: 3
    })
    server.addFault({
      method: 'PUT',
      kind: { status: 502, body: HTML_502 },
      times: 6
    })

    const run = await deploy(server)

    expect(run.exitCode).toBe(0)
    expectMatchesFiles(server)
    expectNoDuplicates(server)
    expect(run.stdout).not.toContain('<html')
    expect(report(run).requests?.retried).toBeGreaterThanOrEqual(10)
  })

  test('hung connections end at the request timeout', async () => {
    const server = await standIn()
    server.addFault({ method: 'GET', kind: 'hang', times: 2 })
    server.addFault({ method: 'PUT', kind: 'hang', times: 1 })

    const run = await deploy(server)

    expect(run.exitCode).toBe(0)
    expectMatchesFiles(server)
    expect(run.seconds).toBeLessThan(15)
  })

  test('reset connections, before and after the write', async () => {
    const server = await standIn()
    server.addFault({ method: 'GET', kind: 'reset', times: 2 })
    server.addFault({ method: 'PUT', after: 'write', kind: 'reset' })

    const run = await deploy(server)

    expect(run.exitCode).toBe(0)
    expectMatchesFiles(server)
    expectNoDuplicates(server)
  })

  test.each([
    ['a 502 page', { status: 502, body: HTML_502 }],
    ['a reset', 'reset'],
    ['a hang', 'hang']
  ] as const)(
    'a create whose answer is lost after the write (%s) makes no duplicate',
    async (_name, kind) => {
      const server = await standIn()
      server.addFault({
        method: 'POST',
        path: /^\/v2\/workflows$/,
        after: 'write',
        kind: typeof kind === 'string' ? kind : { ...kind },
        times: 3
      })

      const run = await deploy(server)

      expect(run.exitCode).toBe(0)
      expectMatchesFiles(server)
      expectNoDuplicates(server)
      // Each create was sent once: the lost answers were settled by reads.
      expect(posts(server)).toBe(3)
      expect(run.outputs).toMatchObject({ created: '3', failed: '0' })
    }
  )

  test('answers newer than the SDK after each write count as applied', async () => {
    const server = await standIn()
    server.addFault({ method: 'POST', kind: 'unparseable', times: 3 })
    server.addFault({ method: 'PUT', kind: 'unparseable', times: 6 })

    const run = await deploy(server)

    expect(run.exitCode).toBe(0)
    expectMatchesFiles(server)
    expect(run.outputs).toMatchObject({ created: '3', synced: '6' })
  })

  test('after the faults, a second run writes nothing', async () => {
    const server = await standIn()
    server.addFault({ kind: { status: 502, body: HTML_502 }, times: 3 })
    server.addFault({ method: 'POST', after: 'write', kind: 'reset' })
    await deploy(server)
    server.resetRequests()

    const again = await deploy(server)

    expect(again.exitCode).toBe(0)
    expect(again.outputs).toMatchObject({ unchanged: '3', synced: '0' })
    expect(
      server.requests.filter(
        (r) => r.method !== 'GET' && !r.path.endsWith('/diff')
      )
    ).toEqual([])
  })
})

describe('lasting faults: reported per workflow, the others go on', () => {
  test('a proxy that keeps failing one call gives up within the budget', async () => {
    const server = await standIn()
    server.addFault({
      method: 'PUT',
      path: /invoice-paid\/sync/,
      kind: { status: 503, body: HTML_503 },
      times: 1000
    })

    const run = await deploy(server)

    expect(run.exitCode).toBe(1)
    expect(run.outputs).toMatchObject({ failed: '1', created: '3' })
    expect(run.seconds).toBeLessThan(RETRY_BUDGET_MS / 1000 + 8)
    expect(run.summary).toContain('HTTP 503 from a proxy')
    expect(run.summary).toMatch(/Gave up after \d+ attempts/)
    expectMatchesFiles(
      server,
      DEFINITIONS.filter((d) => d.workflowId !== 'invoice-paid'),
      ['Staging', 'Production']
    )
    expectMatchesFiles(server, DEFINITIONS, ['Development'])
  }, 30_000)

  test('a create saved under a suffixed id is reported with what to do', async () => {
    const server = await standIn()
    // Development holds the workflow, but the list that tells new from
    // existing does not show it: the create meets a taken id.
    server.seed('Development', {
      workflowId: 'invoice-paid',
      name: 'Invoice paid (held)',
      steps: []
    })
    server.addFault({
      method: 'GET',
      path: /^\/v2\/workflows\?/,
      kind: {
        status: 200,
        body: { data: { workflows: [], totalCount: 0 } }
      }
    })
    server.addFault({ method: 'POST', kind: 'suffix-duplicate', times: 3 })

    const run = await deploy(server)

    expect(run.exitCode).toBe(1)
    expect(run.outputs).toMatchObject({ failed: '1', created: '2' })
    const duplicate = server
      .workflows('Development')
      .find((w) => /^invoice-paid-[0-9a-f]{4}$/.test(w.workflowId))!
    expect(run.summary).toContain(
      `Novu saved it as "${duplicate.workflowId}" instead`
    )
    expect(run.summary).toContain(`Delete the duplicate`)
    // The duplicate is never promoted.
    for (const environment of ['Staging', 'Production']) {
      expect(server.workflow(environment, duplicate.workflowId)).toBeUndefined()
      expect(server.workflow(environment, 'invoice-paid')).toBeUndefined()
    }
  })

  test('a target that disappears mid-run fails its syncs, not the rest', async () => {
    const server = await standIn()
    const logger = quietLogger((name) => {
      if (name === 'Syncing to Production') {
        server.removeEnvironment('Production')
      }
    })

    const result = await runEngine(settings(server, await workspace()), logger)

    expect(result.fatal).toBeUndefined()
    expect(result.counts).toMatchObject({ created: 3, synced: 3, failed: 3 })
    for (const workflow of result.workflows) {
      const production = workflow.promotions.find(
        (p) => p.environment === 'Production'
      )!
      expect(production.outcome).toBe('failed')
      expect(production.reason).toContain('Novu holds no such environment')
    }
    expectMatchesFiles(server, DEFINITIONS, ['Development', 'Staging'])
  })

  test('the workflow limit of the plan names the limit and is not retried', async () => {
    const server = await standIn({ workflowLimit: 2 })

    const run = await deploy(server, { inputs: { concurrency: '1' } })

    expect(run.exitCode).toBe(1)
    expect(run.outputs).toMatchObject({ created: '2', failed: '1' })
    expect(posts(server)).toBe(3)
    expect(run.summary).toContain('workflow limit of the Novu plan')
    expect(run.summary).toContain('trying again will not help')
  })

  test('a workflow owned by a bridge fails before any write; the others go on', async () => {
    const server = await standIn()
    server.seed('Development', {
      workflowId: 'login-code',
      name: 'Login code',
      origin: 'external',
      steps: []
    })

    const run = await deploy(server)

    expect(run.exitCode).toBe(1)
    expect(run.outputs).toMatchObject({ failed: '1', created: '2' })
    expect(run.summary).toContain('has origin "external"')
    expect(
      server.requests.filter(
        (r) => r.method !== 'GET' && r.path.includes('login-code')
      )
    ).toEqual([])
    expect(server.workflow('Production', 'login-code')).toBeUndefined()
  })

  test('fail-fast stops at the first failure', async () => {
    const server = await standIn()
    server.addFault({
      method: 'POST',
      kind: {
        status: 422,
        body: {
          statusCode: 422,
          message: 'Validation Error',
          errors: { name: { messages: ['name is too long'] } }
        }
      }
    })

    const run = await deploy(server, {
      inputs: { 'fail-fast': 'true', concurrency: '1' }
    })

    expect(run.exitCode).toBe(1)
    expect(posts(server)).toBe(1)
    const outcomes = report(run).workflows.map((w) => w.development?.outcome)
    expect(outcomes).toEqual(['failed', 'skipped', 'skipped'])
    expect(run.summary).toContain('name: name is too long')
    expect(run.summary).toContain('fail-fast')
    for (const environment of ENVIRONMENTS) {
      expect(server.workflows(environment)).toEqual([])
    }
  })
})

describe('faults that stop the run before any write', () => {
  test('a wrong path prefix is a missing route, never a create', async () => {
    const server = await standIn()

    const run = await deploy(server, {
      inputs: { 'api-url': `${server.url}/api` }
    })

    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain('no such API route')
    expect(run.stdout).toContain('base URL of the Novu API')
    expect(server.requests.every((r) => r.method === 'GET')).toBe(true)
    expect(server.workflows('Development')).toEqual([])
  })

  test('a first read that keeps failing still leaves a summary and a report', async () => {
    const server = await standIn()
    server.addFault({
      path: /^\/v1\/environments\/me/,
      kind: { status: 500, body: { statusCode: 500, message: 'Boom' } },
      times: 100
    })

    const run = await deploy(server, {
      env: { NOVU_RETRY_BUDGET_MS: '1500' }
    })

    expect(run.exitCode).toBe(1)
    expect(posts(server)).toBe(0)
    expect(run.summary).toContain('[!CAUTION]')
    expect(run.summary).toContain('HTTP 500')
    expect(run.outputs['report-file']).not.toBe('')
    expect((run.report as { fatal?: string }).fatal).toContain('HTTP 500')
  })

  test('a 404 page from a proxy on the workflow list stops the run', async () => {
    const server = await standIn()
    server.addFault({
      path: /^\/v2\/workflows\?/,
      kind: { status: 404, body: '<html><body>Not Found</body></html>' }
    })

    const run = await deploy(server)

    expect(run.exitCode).toBe(1)
    expect(posts(server)).toBe(0)
    expect(run.stdout).toContain('Check the api-url input')
  })

  test('a refused key suggests its environment and the EU URL', async () => {
    const server = await standIn()

    const run = await deploy(server, {
      inputs: { 'secret-key': 'f'.repeat(32) }
    })

    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain('Novu refused the secret key (HTTP 401')
    expect(run.stdout).toContain('Development environment')
    expect(run.stdout).toContain('https://eu.api.novu.co')
    expect(server.requests).toHaveLength(
      server.requests.filter((r) => r.method === 'GET').length
    )
  })

  test.each([413, 414, 431])(
    'HTTP %i is permanent and points at the proxy',
    async (status) => {
      const server = await standIn()
      server.addFault({
        method: 'POST',
        kind: {
          status,
          body: `<html><body>${status} Request Entity Too Large</body></html>`
        },
        times: 3
      })

      const run = await deploy(server)

      expect(run.exitCode).toBe(1)
      expect(posts(server)).toBe(3)
      expect(run.outputs).toMatchObject({ failed: '3' })
      expect(run.summary).toContain("raise the proxy's size limit")
    }
  )
})

describe("Novu's verdicts", () => {
  const broken: Definition = {
    workflowId: 'broken-mail',
    name: 'Broken mail',
    steps: [
      {
        stepId: 'mail',
        name: 'Mail',
        type: 'email',
        controlValues: { body: '<p>No subject here.</p>' }
      }
    ]
  }

  test('a Development copy in error is reported per step and not promoted', async () => {
    const server = await standIn()

    const run = await deploy(server, { definitions: [broken, DEFINITIONS[0]!] })

    expect(run.exitCode).toBe(0)
    expect(run.summary).toContain('`mail.subject`: Subject is required')
    expect(run.summary).toContain('promote-with-issues')
    expect(server.workflow('Development', 'broken-mail')?.status).toBe('ERROR')
    expect(server.workflow('Staging', 'broken-mail')).toBeUndefined()
    expect(server.workflow('Staging', 'account-locked')).toBeDefined()
  })

  test('with promote-with-issues, the target copy in error is reported', async () => {
    const server = await standIn()

    const run = await deploy(server, {
      definitions: [broken],
      inputs: { 'promote-with-issues': 'true' }
    })

    expect(server.workflow('Production', 'broken-mail')?.status).toBe('ERROR')
    const promotions = report(run).workflows[0]!.promotions
    for (const promotion of promotions) {
      expect(promotion.outcome).toBe('synced')
      expect(promotion.issues).toEqual([
        expect.objectContaining({ stepId: 'mail', field: 'subject' })
      ])
    }
    expect(run.summary).toContain(
      'Novu marks the Production copy as in error: mail.subject'
    )
  })
})

describe('the secret key under faults', () => {
  test('appears in no output when bodies echo it and the SDK throws', async () => {
    const server = await standIn()
    const secret = server.secretKey('Development')
    const echo = {
      statusCode: 500,
      message: `upstream failed for Authorization: ApiKey ${secret}`,
      headers: { authorization: `ApiKey ${secret}` },
      key: secret
    }
    server.addFault({ method: 'GET', kind: { status: 500, body: echo } })
    server.addFault({
      method: 'POST',
      kind: { status: 400, body: { message: [`bad key ${secret}`] } }
    })
    server.addFault({ method: 'PUT', kind: 'unparseable', times: 2 })
    server.addFault({ method: 'PUT', kind: 'reset' })
    server.addFault({
      method: 'PUT',
      path: /sync/,
      kind: { status: 503, body: `<html>${secret}</html>` }
    })

    const run = await deploy(server, { env: { RUNNER_DEBUG: '1' } })

    expect(run.stdout).toContain('::debug::')
    expect(run.stdout).toContain('***')
    expectSecretNowhere(run, secret)
  })

  test('appears in no output when Novu refuses it with an echo', async () => {
    const server = await standIn()
    const secret = server.secretKey('Development')
    server.addFault({
      kind: {
        status: 401,
        body: {
          statusCode: 401,
          message: `API Key not found: ${secret}`,
          request: { headers: { authorization: `ApiKey ${secret}` } }
        }
      },
      times: 5
    })

    const run = await deploy(server, { env: { RUNNER_DEBUG: '1' } })

    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain('Novu refused the secret key')
    expectSecretNowhere(run, secret)
  })
})

function settings(server: StandIn, cwd: string): EngineSettings {
  return {
    mode: 'deploy',
    apiUrl: server.url,
    secretKey: server.secretKey('Development'),
    workflowGlobs: ['novu/workflows/*.json'],
    workflowIds: [],
    targetEnvironments: ['Staging', 'Production'],
    concurrency: 'auto',
    promoteWithIssues: false,
    failFast: false,
    requestTimeoutMs: TIMEOUT_MS,
    retryBudgetMs: RETRY_BUDGET_MS,
    cwd
  }
}

/** A logger that prints nothing and calls `onGroup` as each phase starts. */
function quietLogger(onGroup: (name: string) => void): EngineLogger {
  return {
    info: () => undefined,
    warning: () => undefined,
    debug: () => undefined,
    group: (name, work) => {
      onGroup(name)
      return work()
    }
  }
}
