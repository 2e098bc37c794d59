/**
 * Request counts per run: the engine, through the real gateway and HTTP,
 * against the local Novu stand-in. Every situation must cost exactly the
 * fewest requests Novu's API allows (see bench/minimum.ts), so a change
 * that adds a read or a needless write fails here. Counts only: times
 * belong to `npm run bench`.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { minimumRequests } from '../bench/minimum.js'
import { WORKFLOW_GLOB, writeWorkflows } from '../bench/workflows.js'
import type { RunResult } from '../src/engine/model.js'
import { runEngine, type EngineLogger } from '../src/engine/run.js'
import { startStandIn, type StandIn } from '../stand-in/server.js'

const TARGETS = ['Staging', 'Production']

const quiet: EngineLogger = {
  info: () => undefined,
  warning: () => undefined,
  debug: () => undefined,
  group: (_name, work) => work()
}

const workspaces: string[] = []

afterAll(async () => {
  await Promise.all(
    workspaces.map((dir) => rm(dir, { recursive: true, force: true }))
  )
})

/** One stand-in and one workspace of `count` generated definitions. */
async function setUp(count: number): Promise<{
  novu: StandIn
  workspace: string
}> {
  const novu = await startStandIn()
  const workspace = await mkdtemp(path.join(tmpdir(), 'novu-requests-'))
  workspaces.push(workspace)
  await writeWorkflows(workspace, count)
  return { novu, workspace }
}

async function deploy(
  novu: StandIn,
  workspace: string,
  targets: string[]
): Promise<{ result: RunResult; calls: Record<string, number> }> {
  novu.resetRequests()
  const result = await runEngine(
    {
      mode: 'deploy',
      apiUrl: novu.url,
      secretKey: novu.secretKey('Development'),
      workflowGlobs: [WORKFLOW_GLOB],
      workflowIds: [],
      targetEnvironments: targets,
      concurrency: 'auto',
      promoteWithIssues: false,
      failFast: false,
      cwd: workspace
    },
    quiet
  )
  expect(result.fatal).toBeUndefined()
  return { result, calls: tally(novu) }
}

/** Requests by method and route, with ids folded into placeholders. */
function tally(novu: StandIn): Record<string, number> {
  const calls: Record<string, number> = {}
  for (const request of novu.requests) {
    const route = request.path
      .replace(/\?.*$/, '')
      .replace(/^\/v2\/workflows\/[^/]+/, '/v2/workflows/{id}')
      .replace(/^\/v2\/environments\/[^/]+/, '/v2/environments/{id}')
    const key = `${request.method} ${route}`
    calls[key] = (calls[key] ?? 0) + 1
  }
  return calls
}

function total(calls: Record<string, number>): number {
  return Object.values(calls).reduce((sum, count) => sum + count, 0)
}

describe.each([
  { workflows: 3, targets: 1 },
  { workflows: 3, targets: 2 },
  { workflows: 150, targets: 2 }
])('$workflows workflows, $targets target(s)', ({ workflows, targets }) => {
  let novu: StandIn
  let workspace: string
  const names = TARGETS.slice(0, targets)
  const pages = Math.ceil(workflows / 100)

  beforeAll(async () => ({ novu, workspace } = await setUp(workflows)))
  afterAll(() => novu.close())

  test('first deploy: a create per workflow, a sync per target', async () => {
    const { result, calls } = await deploy(novu, workspace, names)

    expect(result.counts).toMatchObject({
      created: workflows,
      synced: workflows * targets,
      failed: 0
    })
    expect(calls).toEqual({
      'GET /v1/environments/me': 1,
      'GET /v1/environments': 1,
      'GET /v2/workflows': 1,
      'POST /v2/workflows': workflows,
      'POST /v2/environments/{id}/diff': targets,
      'PUT /v2/workflows/{id}/sync': workflows * targets
    })
    expect(total(calls)).toBe(
      minimumRequests('first deploy', workflows, targets)
    )
  })

  test('nothing changed: reads only, no write', async () => {
    const { result, calls } = await deploy(novu, workspace, names)

    expect(result.counts).toMatchObject({ unchanged: workflows, synced: 0 })
    expect(calls).toEqual({
      'GET /v1/environments/me': 1,
      'GET /v1/environments': 1,
      'GET /v2/workflows': pages,
      'GET /v2/workflows/{id}': workflows,
      'POST /v2/environments/{id}/diff': targets
    })
    expect(total(calls)).toBe(
      minimumRequests('nothing changed', workflows, targets)
    )
  })

  test('one workflow changed: one update, one sync per target', async () => {
    await writeWorkflows(workspace, workflows, new Map([[1, 2]]))
    const { result, calls } = await deploy(novu, workspace, names)

    expect(result.counts).toMatchObject({
      updated: 1,
      unchanged: workflows - 1,
      synced: targets
    })
    expect(calls).toEqual({
      'GET /v1/environments/me': 1,
      'GET /v1/environments': 1,
      'GET /v2/workflows': pages,
      'GET /v2/workflows/{id}': workflows,
      'PUT /v2/workflows/{id}': 1,
      'POST /v2/environments/{id}/diff': targets,
      'PUT /v2/workflows/{id}/sync': targets
    })
    expect(total(calls)).toBe(
      minimumRequests('one changed', workflows, targets)
    )
  })
})

test('without targets, no environment list and no diff', async () => {
  const { novu, workspace } = await setUp(3)
  try {
    const first = await deploy(novu, workspace, [])
    expect(first.calls).toEqual({
      'GET /v1/environments/me': 1,
      'GET /v2/workflows': 1,
      'POST /v2/workflows': 3
    })
    const again = await deploy(novu, workspace, [])
    expect(total(again.calls)).toBe(minimumRequests('nothing changed', 3, 0))
  } finally {
    await novu.close()
  }
})

test('at 20 requests a second, auto concurrency draws no 429', async () => {
  const novu = await startStandIn({ rateLimitPerSecond: 20 })
  const workspace = await mkdtemp(path.join(tmpdir(), 'novu-requests-'))
  workspaces.push(workspace)
  await writeWorkflows(workspace, 30)
  try {
    const { result, calls } = await deploy(novu, workspace, ['Staging'])

    expect(result.counts).toMatchObject({ created: 30, synced: 30 })
    expect(total(calls)).toBe(minimumRequests('first deploy', 30, 1))
    expect(novu.requests.filter((r) => r.status === 429)).toEqual([])
  } finally {
    await novu.close()
  }
})
