/**
 * Workflow files written by people outside this project (kept beside the
 * repository, in ../shared/reference/real-definitions, and not copied
 * into it): first as they are, then fixed as a user would fix them after
 * reading the action's errors, and deployed with the bundled action.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { existsSync } from 'node:fs'
import {
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  rm,
  writeFile
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { runAction } from '../scripts/runner.js'
import { startStandIn, type StandIn } from '../stand-in/server.js'

const REAL = fileURLToPath(
  new URL('../../shared/reference/real-definitions', import.meta.url)
)
// The files sit beside the checkout, not in it; a clone placed elsewhere
// cannot see them, and says so instead of failing.
const withRealFiles = existsSync(REAL) ? describe : describe.skip

type Json = Record<string, any>

withRealFiles(`files in ${REAL}`, () => {
  let novu: StandIn
  let workspace: string
  let originals: Map<string, Json>

  beforeAll(async () => {
    novu = await startStandIn()
    workspace = await mkdtemp(path.join(tmpdir(), 'novu-real-'))
    originals = new Map()
    for (const name of await readdir(REAL)) {
      if (!name.endsWith('.json')) continue
      originals.set(
        name,
        JSON.parse(await readFile(path.join(REAL, name), 'utf8'))
      )
    }
  })

  afterAll(async () => {
    await novu.close()
    await rm(workspace, { recursive: true, force: true })
  })

  async function writeWorkspace(files: Map<string, Json>): Promise<void> {
    const folder = path.join(workspace, 'novu/workflows')
    await rm(folder, { recursive: true, force: true })
    await mkdir(folder, { recursive: true })
    for (const [name, content] of files) {
      await writeFile(path.join(folder, name), JSON.stringify(content, null, 2))
    }
  }

  function deploy() {
    return runAction({
      workspace,
      inputs: {
        'secret-key': novu.secretKey('Development'),
        'api-url': novu.url,
        workflows: 'novu/workflows/*.json',
        'target-environments': 'Staging\nProduction'
      }
    })
  }

  /** The fixes a user makes after reading the action's messages. */
  function fix(name: string, original: Json): Json {
    const file = structuredClone(original)
    const slug = (text: string): string =>
      text
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '')
    for (const step of file.steps ?? []) step.stepId ??= slug(step.name)
    for (const level of ['workflow', 'user']) {
      const channels = file.preferences?.[level]?.channels
      if (channels?.inApp) {
        channels.in_app = channels.inApp
        delete channels.inApp
      }
    }
    if (name.includes('INVALID-preferences')) {
      const enabled = file.preferences.all.channels as Record<string, boolean>
      file.preferences = {
        workflow: {
          all: { enabled: file.preferences.all.enabled },
          channels: Object.fromEntries(
            Object.entries(enabled).map(([channel, on]) => [
              channel,
              { enabled: on }
            ])
          )
        }
      }
    }
    return file
  }

  test('the files as published fail validation and nothing is sent', async () => {
    await writeWorkspace(originals)
    const run = await deploy()

    expect(run.exitCode).toBe(1)
    expect(novu.requests).toEqual([])
    expect(run.stdout).toMatch(/inApp.*in_app/)
    expect(run.stdout).toMatch(/stepId/)
    for (const name of ['01-', '09-', '11-']) {
      expect(run.stdout).toMatch(new RegExp(`file=novu/workflows/${name}`))
    }
  })

  test('fixed, they deploy with every field as written', async () => {
    const fixed = new Map(
      [...originals].map(([name, file]) => [name, fix(name, file)])
    )
    await writeWorkspace(fixed)
    const run = await deploy()

    expect(run.stdout).not.toMatch(/::error/)
    expect(run.exitCode).toBe(0)
    expect(run.outputs).toMatchObject({
      created: String(fixed.size),
      synced: String(fixed.size * 2),
      failed: '0'
    })
    for (const file of fixed.values()) {
      for (const environment of ['Development', 'Staging', 'Production']) {
        const held = novu.workflow(environment, file.workflowId)!
        expect(held.name).toBe(file.name)
        expect(held.description ?? '').toBe(file.description ?? '')
        expect(held.tags).toEqual(file.tags ?? [])
        expect(held.active).toBe(file.active ?? true)
        expect(held.payloadSchema).toEqual(file.payloadSchema ?? null)
        expect(held.steps.map((s) => [s.stepId, s.name, s.type])).toEqual(
          file.steps.map((s: Json) => [s.stepId, s.name, s.type])
        )
        held.steps.forEach((step, index) => {
          const written = file.steps[index].controlValues
          expect(step.controlValues).toMatchObject(written)
          if (step.type === 'email')
            expect(step.controlValues.editorType).toBe('html')
        })
        if (file.preferences?.workflow) {
          expect(held.preferences.workflow).toMatchObject(
            file.preferences.workflow
          )
        }
      }
    }

    novu.resetRequests()
    const again = await deploy()
    expect(again.exitCode).toBe(0)
    expect(
      novu.requests.filter(
        (r) => r.method !== 'GET' && !r.path.endsWith('/diff')
      )
    ).toEqual([])
  })
})
