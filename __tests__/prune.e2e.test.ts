/**
 * Ownership tags and guarded prune, through the bundled action against
 * the stand-in: only workflows this repository wrote are ever deleted.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { RunResult } from '../src/engine/model.js'
import { runAction, type ActionRun } from '../scripts/runner.js'
import { startStandIn, type StandIn } from '../stand-in/server.js'

const EXAMPLES = fileURLToPath(
  new URL('../examples/workflows', import.meta.url)
)
const MANAGER = 'acme/notifications'
const MARKER = `managed-by:${MANAGER}`
const GONE = 'trial-ending'

let novu: StandIn
let workspace: string

beforeAll(async () => {
  novu = await startStandIn()
  workspace = await mkdtemp(path.join(tmpdir(), 'novu-prune-'))
  await cp(EXAMPLES, path.join(workspace, 'novu/workflows'), {
    recursive: true
  })
  novu.seed('Development', {
    workflowId: 'made-in-dashboard',
    name: 'Made in the dashboard',
    tags: ['marketing'],
    steps: []
  })
  novu.seed('Development', {
    workflowId: 'other-repository',
    name: 'Another repository',
    tags: ['managed-by:acme/billing'],
    steps: []
  })
})

afterAll(async () => {
  await novu.close()
  await rm(workspace, { recursive: true, force: true })
})

function deploy(inputs: Record<string, string> = {}): Promise<ActionRun> {
  novu.resetRequests()
  return runAction({
    workspace,
    inputs: {
      'secret-key': novu.secretKey('Development'),
      'api-url': novu.url,
      workflows: 'novu/workflows/**/*.{json,yaml,yml}',
      'target-environments': 'Staging',
      manager: MANAGER,
      ...inputs
    }
  })
}

function report(run: ActionRun): RunResult {
  return run.report as RunResult
}

describe('ownership and prune', () => {
  test('a deploy without a manager leaves tags as the files say', async () => {
    const run = await deploy({ manager: '' })

    expect(run.exitCode).toBe(0)
    expect(novu.workflow('Development', GONE)?.tags).not.toContain(MARKER)
  })

  test('the first deploy with a manager tags existing workflows once', async () => {
    const first = await deploy()
    expect(first.exitCode).toBe(0)
    expect(Number(first.outputs.updated)).toBeGreaterThan(0)
    expect(novu.workflow('Development', GONE)?.tags).toContain(MARKER)
    expect(novu.workflow('Staging', GONE)?.tags).toContain(MARKER)

    const second = await deploy()
    expect(second.outputs).toMatchObject({
      updated: '0',
      synced: '0',
      'has-changes': 'false'
    })
    expect(novu.writes()).toEqual([])
  })

  test("another repository's workflow is not taken over", async () => {
    const run = await deploy({ manager: 'someone/else' })

    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain(`is managed by "${MANAGER}"`)
    expect(novu.writes()).toEqual([])
    expect(novu.workflow('Development', GONE)?.tags).toContain(MARKER)
  })

  test('a plan lists the deletion first and writes nothing', async () => {
    await rm(path.join(workspace, `novu/workflows/${GONE}.yaml`))
    const run = await deploy({ mode: 'plan', prune: 'true' })

    expect(run.exitCode).toBe(0)
    expect(novu.writes()).toEqual([])
    const result = report(run)
    expect(result.workflows[0]).toMatchObject({
      workflowId: GONE,
      development: { outcome: 'would-delete' },
      promotions: [{ environment: 'Staging', outcome: 'orphaned' }]
    })
    expect(result.workflows[0]?.promotions[0]?.reason).toContain(
      'Staging would keep its copy'
    )
    expect(
      result.workflows.filter((w) => w.development?.outcome === 'would-delete')
    ).toHaveLength(1)
    expect(run.outputs['has-changes']).toBe('true')
    expect(run.summary).toContain('1 to delete')
  })

  test('a run filtered by workflow-ids never prunes', async () => {
    const run = await deploy({ prune: 'true', 'workflow-ids': 'order-shipped' })

    expect(run.exitCode).toBe(0)
    expect(run.outputs.deleted).toBe('0')
    expect(run.stdout).toContain('Not pruning: the run is filtered')
    expect(novu.workflow('Development', GONE)).toBeDefined()
  })

  test('prune deletes only what this repository manages', async () => {
    const run = await deploy({ prune: 'true' })

    expect(run.exitCode).toBe(0)
    expect(run.outputs.deleted).toBe('1')
    expect(novu.writes()).toEqual([`DELETE /v2/workflows/${GONE}`])
    // One list serves both phases, and its tags tell whose a workflow is,
    // so workflows of others are not even read.
    const reads = novu.requests
      .filter((r) => r.method === 'GET')
      .map((r) => r.path.split('?')[0])
    expect(reads.filter((path) => path === '/v2/workflows')).toHaveLength(1)
    expect(reads).not.toContain('/v2/workflows/made-in-dashboard')
    expect(reads).not.toContain('/v2/workflows/other-repository')
    expect(novu.workflow('Development', GONE)).toBeUndefined()
    expect(novu.workflow('Development', 'made-in-dashboard')).toBeDefined()
    expect(novu.workflow('Development', 'other-repository')).toBeDefined()
    // Sync never deletes: the target keeps its copy, reported as orphaned.
    expect(novu.workflow('Staging', GONE)).toBeDefined()
    expect(report(run).workflows[0]?.promotions[0]?.reason).toContain(
      'Staging keeps its copy'
    )
    expect(run.summary).toContain('1 deleted')

    const again = await deploy({ prune: 'true' })
    expect(again.outputs).toMatchObject({
      deleted: '0',
      'has-changes': 'false'
    })
    expect(novu.writes()).toEqual([])
  })
})
