/**
 * The bundled action (`dist/index.js`) run as a runner runs it, against
 * the local Novu stand-in over loopback HTTP.
 */
import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  test
} from '@jest/globals'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { loadDefinitions } from '../src/engine/definitions/load.js'
import type { WorkflowDefinition } from '../src/engine/model.js'
import { expectSecretNowhere } from './support/secrets.js'
import { exampleWorkspace } from './support/workspace.js'
import { runAction, type ActionRun } from '../scripts/runner.js'
import { startStandIn, type StandIn } from '../stand-in/server.js'

let novu: StandIn
let workspace: string

beforeAll(async () => {
  novu = await startStandIn()
  workspace = await exampleWorkspace('e2e')
})

afterAll(async () => {
  await novu.close()
  await rm(workspace, { recursive: true, force: true })
})

beforeEach(() => novu.resetRequests())

function deploy(
  inputs: Record<string, string> = {},
  env = {}
): Promise<ActionRun> {
  return runAction({
    workspace,
    env,
    inputs: {
      'secret-key': novu.secretKey('Development'),
      'api-url': novu.url,
      workflows: 'novu/workflows/**/*.{json,yaml,yml}',
      'target-environments': 'Staging\nProduction',
      ...inputs
    }
  })
}

async function definitions(): Promise<WorkflowDefinition[]> {
  const loaded = await loadDefinitions({
    cwd: workspace,
    globs: ['novu/workflows/**/*.{json,yaml,yml}']
  })
  expect(loaded.problems).toEqual([])
  return loaded.definitions.map((entry) => entry.definition)
}

describe('deploy', () => {
  test('first run creates every workflow and syncs it to both targets', async () => {
    const wanted = await definitions()
    const run = await deploy()

    expect(run.exitCode).toBe(0)
    expect(run.outputs).toMatchObject({
      created: String(wanted.length),
      updated: '0',
      unchanged: '0',
      synced: String(wanted.length * 2),
      failed: '0',
      'has-changes': 'true'
    })
    expect(run.summary).toContain(`**${wanted.length} created**`)

    for (const definition of wanted) {
      for (const environment of ['Development', 'Staging', 'Production']) {
        const held = novu.workflow(environment, definition.workflowId)
        expect(held).toBeDefined()
        expect({
          name: held!.name,
          description: held!.description,
          tags: held!.tags,
          active: held!.active,
          severity: held!.severity,
          steps: held!.steps.map((s) => [
            s.stepId,
            s.name,
            s.type,
            s.controlValues
          ])
        }).toEqual({
          name: definition.name,
          description: definition.description,
          tags: definition.tags,
          active: true,
          severity: definition.severity,
          steps: definition.steps.map((s) => [
            s.stepId,
            s.name,
            s.type,
            s.controlValues
          ])
        })
      }
      const development = novu.workflow('Development', definition.workflowId)!
      expect(development.payloadSchema).toEqual(definition.payloadSchema)
      expect(development.validatePayload).toBe(definition.validatePayload)
      expect(development.isTranslationEnabled).toBe(
        definition.isTranslationEnabled
      )
    }
  })

  test('a second run writes nothing', async () => {
    const wanted = await definitions()
    const run = await deploy()

    expect(run.exitCode).toBe(0)
    expect(novu.writes()).toEqual([])
    expect(run.outputs).toMatchObject({
      created: '0',
      updated: '0',
      unchanged: String(wanted.length),
      synced: '0',
      'has-changes': 'false'
    })
  })

  test('changing one step updates only that workflow, keeps step ids, reaches the targets', async () => {
    const [first] = await definitions()
    const file = (
      await loadDefinitions({
        cwd: workspace,
        globs: ['novu/workflows/**/*.{json,yaml,yml}'],
        workflowIds: [first!.workflowId]
      })
    ).definitions[0]!.source.file
    const before = novu.workflow('Development', first!.workflowId)!
    const stagingBefore = novu.workflow('Staging', first!.workflowId)!
    const step = first!.steps[0]!
    const text = await readFile(path.join(workspace, file), 'utf8')
    await writeFile(
      path.join(workspace, file),
      text.replace(step.name, `${step.name} (revised)`)
    )

    const run = await deploy()

    expect(run.exitCode).toBe(0)
    expect(run.outputs).toMatchObject({ updated: '1', synced: '2' })
    expect(novu.writes()).toEqual([
      `PUT /v2/workflows/${first!.workflowId}`,
      `PUT /v2/workflows/${first!.workflowId}/sync`,
      `PUT /v2/workflows/${first!.workflowId}/sync`
    ])
    const after = novu.workflow('Development', first!.workflowId)!
    expect(after.steps.map((s) => s._id)).toEqual(
      before.steps.map((s) => s._id)
    )
    expect(after.steps[0]!.name).toBe(`${step.name} (revised)`)
    const staging = novu.workflow('Staging', first!.workflowId)!
    expect(staging.steps[0]!.name).toBe(`${step.name} (revised)`)
    expect(staging.steps.map((s) => s._id)).toEqual(
      stagingBefore.steps.map((s) => s._id)
    )
    expect(novu.workflow('Production', first!.workflowId)!.steps[0]!.name).toBe(
      `${step.name} (revised)`
    )
  })
})

describe('stops before writing', () => {
  test('an invalid definition: annotated on its file, nothing sent', async () => {
    const bad = path.join(workspace, 'novu/workflows/zz-bad.json')
    await writeFile(
      bad,
      JSON.stringify(
        {
          workflowId: 'bad-one',
          name: 'Bad',
          preferences: {
            workflow: {
              all: { enabled: true },
              channels: { inApp: { enabled: true } }
            }
          },
          steps: []
        },
        null,
        2
      )
    )
    try {
      const run = await deploy()
      expect(run.exitCode).toBe(1)
      expect(novu.requests).toEqual([])
      expect(run.stdout).toMatch(
        /::error .*file=novu\/workflows\/zz-bad\.json,line=\d+/
      )
      expect(run.stdout).toContain('inApp')
      expect(run.summary).toContain('zz-bad.json')
    } finally {
      await rm(bad)
    }
  })

  test('an unknown target names the environments that exist', async () => {
    const run = await deploy({ 'target-environments': 'Prod' })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain('"Prod" does not exist')
    expect(run.stdout).toContain('did you mean "Production"?')
    expect(run.stdout).toContain('"Production"')
    expect(novu.writes()).toEqual([])
  })

  test('a key of another environment is refused', async () => {
    const run = await deploy({ 'secret-key': novu.secretKey('Staging') })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain('not to Development')
    expect(novu.writes()).toEqual([])
  })
})

describe('sync mode', () => {
  test('without targets stops before any request', async () => {
    const run = await deploy({
      mode: 'sync',
      'workflow-ids': 'order-shipped',
      'target-environments': ''
    })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain('"target-environments" is empty')
    expect(novu.requests).toEqual([])
  })

  test('promotes named ids without reading files', async () => {
    const [first] = await definitions()
    const run = await runAction({
      workspace: await mkdtemp(path.join(tmpdir(), 'novu-empty-')),
      inputs: {
        'secret-key': novu.secretKey('Development'),
        'api-url': novu.url,
        mode: 'sync',
        'workflow-ids': `${first!.workflowId}, no-such-workflow`,
        'target-environments': 'Production'
      }
    })
    expect(run.exitCode).toBe(1)
    expect(run.outputs).toMatchObject({ synced: '0', failed: '1' })
    expect(run.summary).toContain('no-such-workflow')
    expect(run.summary).toMatch(/in sync/)
    expect(run.summary).toContain('**0 synced** · 1 already in sync')
  })
})

test('the secret key appears nowhere, with step debug on', async () => {
  const secret = novu.secretKey('Development')
  const run = await deploy({}, { RUNNER_DEBUG: '1' })
  expect(run.stdout).toContain('::debug::')
  // The runner learns the value to hide from this command.
  expect(run.stdout.split('\n')).toContain(`::add-mask::${secret}`)
  expectSecretNowhere(run, secret)
})
