/**
 * action.yml is the contract with users: it must be valid action
 * metadata, and the README's tables must say what it says.
 */
import { describe, expect, test } from '@jest/globals'
import { validateAction, validateWorkflow } from '@action-validator/core'
import { readFile, readdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { ACTION_FILE, README_FILE, withTables } from '../scripts/readme.js'

const WORKFLOWS = fileURLToPath(
  new URL('../.github/workflows', import.meta.url)
)

describe('action.yml', () => {
  test('passes the action metadata validator', async () => {
    const text = await readFile(ACTION_FILE, 'utf8')
    expect((parse(text) as { runs: { using: string } }).runs.using).toBe(
      'node24'
    )
    // The validator's bundled schema predates the node24 runtime, which
    // GitHub's runners accept; everything else is checked as written.
    const checked = text.replace(/^(\s+using:) node24$/m, '$1 node20')
    expect(validateAction(checked).errors).toEqual([])
  })

  test('the validator is not blind: it refuses a misspelt key', async () => {
    const text = (await readFile(ACTION_FILE, 'utf8')).replace(
      /^(\s+using:) node24$/m,
      '$1 node20'
    )
    const broken = text.replace('    default: deploy', '    defualt: deploy')
    expect(validateAction(broken).errors).not.toEqual([])
  })

  test("the README's input and output tables are generated from it", async () => {
    const readme = await readFile(README_FILE, 'utf8')
    const action = await readFile(ACTION_FILE, 'utf8')
    expect(readme).toBe(await withTables(readme, action))
  })

  test('every input the action reads is declared', async () => {
    const declared = Object.keys(
      (parse(await readFile(ACTION_FILE, 'utf8')) as { inputs: object }).inputs
    )
    const sources = await Promise.all(
      ['../src/action/inputs.ts', '../src/action/main.ts'].map((file) =>
        readFile(new URL(file, import.meta.url), 'utf8')
      )
    )
    const read = [
      ...sources
        .join('\n')
        .matchAll(/(?:getInput|booleanInput)\(\s*'([a-z-]+)'/g)
    ].map((match) => match[1])
    expect(read.length).toBeGreaterThan(5)
    for (const name of read) expect(declared).toContain(name)
  })
})

test('the repository workflows pass the workflow validator', async () => {
  for (const name of await readdir(WORKFLOWS)) {
    const text = await readFile(`${WORKFLOWS}/${name}`, 'utf8')
    expect([name, validateWorkflow(text).errors]).toEqual([name, []])
  }
})
