/**
 * Export run as a runner runs the bundled action, against the stand-in:
 * the files it writes load cleanly and deploying them writes nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { loadDefinitions } from '../src/engine/definitions/load.js'
import type { ExportResult } from '../src/engine/model.js'
import { SCHEMA_URL } from '../src/engine/definitions/schema.js'
import { exampleWorkspace } from './support/workspace.js'
import { runAction, type ActionRun } from '../scripts/runner.js'
import { startStandIn, type StandIn } from '../stand-in/server.js'
import type { SeedWorkflow } from '../stand-in/store.js'

const GLOB = 'novu/workflows/**/*.{json,yaml,yml}'

const MAILY = JSON.stringify({
  type: 'doc',
  content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Hi' }] }]
})

/** One workflow holding a step of every type the format knows. */
const EVERY_STEP: SeedWorkflow = {
  workflowId: 'every-step',
  name: 'Every step',
  description: 'One step of each type',
  tags: ['adoption', 'managed-by:acme/elsewhere'],
  severity: 'high',
  validatePayload: true,
  payloadSchema: {
    type: 'object',
    properties: { name: { type: 'string' } },
    required: ['name']
  },
  preferences: {
    workflow: {
      all: { enabled: true, readOnly: false },
      channels: {
        in_app: { enabled: true },
        email: { enabled: false },
        sms: { enabled: true },
        chat: { enabled: true },
        push: { enabled: true }
      }
    },
    user: null
  },
  steps: [
    {
      stepId: 'inbox',
      name: 'Inbox',
      type: 'in_app',
      controlValues: {
        body: 'Hello {{payload.name}}',
        subject: 'Welcome',
        primaryAction: {
          label: 'Open',
          redirect: { url: 'https://example.com', target: '_blank' }
        },
        avatar: ''
      }
    },
    {
      stepId: 'html-email',
      name: 'HTML email',
      type: 'email',
      controlValues: {
        subject: 'Hi',
        body: '<p>Hello {{payload.name}}</p>\n<p>Bye</p>',
        editorType: 'html',
        layoutId: null
      }
    },
    {
      stepId: 'block-email',
      name: 'Block email',
      type: 'email',
      controlValues: { subject: 'Hi', body: MAILY, editorType: 'block' }
    },
    {
      stepId: 'text',
      name: 'SMS',
      type: 'sms',
      controlValues: { body: 'Hi' }
    },
    {
      stepId: 'phone',
      name: 'Push',
      type: 'push',
      controlValues: { subject: 'Hi', body: 'There' }
    },
    {
      stepId: 'slack',
      name: 'Chat',
      type: 'chat',
      controlValues: { body: 'Hi' }
    },
    {
      stepId: 'wait',
      name: 'Delay',
      type: 'delay',
      controlValues: { type: 'regular', amount: 5, unit: 'minutes' }
    },
    {
      stepId: 'collect',
      name: 'Digest',
      type: 'digest',
      controlValues: {
        type: 'regular',
        amount: 1,
        unit: 'hours',
        digestKey: 'payload.projectId'
      }
    },
    {
      stepId: 'limit',
      name: 'Throttle',
      type: 'throttle',
      controlValues: { type: 'fixed', amount: 10, unit: 'minutes' }
    },
    {
      stepId: 'own',
      name: 'Custom',
      type: 'custom',
      controlValues: { zeta: 1, alpha: { nested: true } }
    },
    {
      stepId: 'hook',
      name: 'HTTP request',
      type: 'http_request',
      controlValues: {
        method: 'POST',
        url: 'https://example.com/hook',
        headers: [{ key: 'X-Team', value: 'growth' }],
        body: [{ key: 'name', value: '{{payload.name}}' }]
      }
    }
  ]
}

let novu: StandIn
let workspace: string

beforeAll(async () => {
  novu = await startStandIn()
  workspace = await mkdtemp(path.join(tmpdir(), 'novu-export-'))
  novu.seed('Development', EVERY_STEP)
  novu.seed('Development', {
    workflowId: 'plain',
    name: 'Plain',
    steps: [{ stepId: 'inbox', type: 'in_app', controlValues: { body: 'x' } }]
  })
  novu.seed('Development', {
    workflowId: 'from-code',
    name: 'From code',
    origin: 'external',
    steps: []
  })
})

afterAll(async () => {
  await novu.close()
  await rm(workspace, { recursive: true, force: true })
})

function runIn(
  directory: string,
  inputs: Record<string, string>
): Promise<ActionRun> {
  return runAction({
    workspace: directory,
    inputs: {
      'secret-key': novu.secretKey('Development'),
      'api-url': novu.url,
      workflows: GLOB,
      ...inputs
    }
  })
}

function exported(run: ActionRun): ExportResult {
  return (run.report as { export: ExportResult }).export
}

describe('export', () => {
  test('writes one file per workflow, lean and loadable', async () => {
    const run = await runIn(workspace, { mode: 'export' })

    expect(run.exitCode).toBe(0)
    const result = exported(run)
    expect(result.directory).toBe('novu/workflows')
    expect(
      result.workflows.map((w) => [w.workflowId, w.outcome, w.file])
    ).toEqual([
      ['every-step', 'written', 'novu/workflows/every-step.yaml'],
      ['from-code', 'skipped', undefined],
      ['plain', 'written', 'novu/workflows/plain.yaml']
    ])
    expect(result.workflows[1]?.reason).toContain('origin is "external"')
    expect(run.summary).toContain('2 written')

    const plain = await readFile(
      path.join(workspace, 'novu/workflows/plain.yaml'),
      'utf8'
    )
    // A user's repository holds no schema file: the published one serves,
    // named for YAML editors in a comment as well.
    expect(plain).toBe(
      [
        `# yaml-language-server: $schema=${SCHEMA_URL}`,
        `$schema: ${SCHEMA_URL}`,
        'workflowId: plain',
        'name: Plain',
        'steps:',
        '  - stepId: inbox',
        '    name: inbox',
        '    type: in_app',
        '    controlValues:',
        '      body: x',
        ''
      ].join('\n')
    )
    const every = await readFile(
      path.join(workspace, 'novu/workflows/every-step.yaml'),
      'utf8'
    )
    // Another repository's ownership tag is Novu's record, not the file's.
    expect(every).not.toContain('managed-by')
    expect(every).not.toContain('avatar')
    expect(every).not.toContain('layoutId')

    const loaded = await loadDefinitions({ cwd: workspace, globs: [GLOB] })
    expect(loaded.problems).toEqual([])
    expect(loaded.definitions).toHaveLength(2)
  })

  test('deploying the exported files right away writes nothing', async () => {
    novu.resetRequests()
    const run = await runIn(workspace, { mode: 'upsert' })

    expect(run.exitCode).toBe(0)
    expect(run.outputs).toMatchObject({
      unchanged: '2',
      'has-changes': 'false'
    })
    expect(novu.writes()).toEqual([])
  })

  test('a second export leaves every file as it is', async () => {
    const run = await runIn(workspace, { mode: 'export' })

    expect(run.exitCode).toBe(0)
    expect(exported(run).workflows.map((w) => w.outcome)).toEqual([
      'unchanged',
      'skipped',
      'unchanged'
    ])
    expect(run.outputs['has-changes']).toBe('false')
  })

  test('a file holding another workflow is not overwritten', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'novu-export-'))
    const folder = path.join(directory, 'defs')
    await mkdir(folder, { recursive: true })
    const squatter = '{ "workflowId": "someone-else", "steps": [] }\n'
    await writeFile(path.join(folder, 'plain.json'), squatter)
    // A workflow that has a file under another name keeps that file.
    await writeFile(
      path.join(folder, 'renamed.json'),
      '{ "workflowId": "every-step", "name": "Old", "steps": [] }\n'
    )

    const run = await runIn(directory, {
      mode: 'export',
      'export-dir': 'defs',
      'export-format': 'json'
    })

    expect(run.exitCode).toBe(0)
    const byId = new Map(exported(run).workflows.map((w) => [w.workflowId, w]))
    expect(byId.get('plain')).toMatchObject({
      outcome: 'skipped',
      file: 'defs/plain.json'
    })
    expect(byId.get('every-step')).toMatchObject({
      outcome: 'rewritten',
      file: 'defs/renamed.json'
    })
    expect(await readFile(path.join(folder, 'plain.json'), 'utf8')).toBe(
      squatter
    )
    await rm(directory, { recursive: true, force: true })
  })

  test('workflow-ids choose what is exported', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'novu-export-'))
    const run = await runIn(directory, {
      mode: 'export',
      'workflow-ids': 'plain'
    })
    expect(run.exitCode).toBe(0)
    expect(exported(run).workflows.map((w) => w.workflowId)).toEqual(['plain'])

    const unknown = await runIn(directory, {
      mode: 'export',
      'workflow-ids': 'plain, nowhere'
    })
    expect(unknown.exitCode).toBe(1)
    expect(unknown.stdout).toContain('Development holds no workflow "nowhere"')
    await rm(directory, { recursive: true, force: true })
  })

  test('deployed examples export back to files that deploy as no-ops', async () => {
    const directory = await exampleWorkspace('export')
    const deployed = await runIn(directory, { mode: 'upsert' })
    expect(deployed.exitCode).toBe(0)

    const out = path.join(directory, 'exported')
    const run = await runIn(directory, {
      mode: 'export',
      'export-dir': 'exported'
    })
    expect(run.exitCode).toBe(0)

    novu.resetRequests()
    const again = await runIn(directory, {
      mode: 'upsert',
      workflows: 'exported/*.yaml'
    })
    expect(again.exitCode).toBe(0)
    expect(again.outputs['has-changes']).toBe('false')
    expect(novu.writes()).toEqual([])
    expect(await readFile(path.join(out, 'plain.yaml'), 'utf8')).toMatch(
      `# yaml-language-server: $schema=${SCHEMA_URL}\n$schema: ${SCHEMA_URL}\n`
    )
    await rm(directory, { recursive: true, force: true })
  })
})
