/**
 * The JSON Schema that editors use and the validator the action runs must
 * agree: a file the editor accepts is not refused by the action for a
 * reason the schema could have shown, and the reverse.
 */
import { describe, expect, test } from '@jest/globals'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { readFile, readdir } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { parseDefinition } from '../src/engine/definitions/parse.js'
import { SCHEMA_FILE, workflowJsonSchema } from '../scripts/schema.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const FIXTURES = path.join(ROOT, '__tests__/fixtures/definitions')

// Mistakes a JSON Schema can express; the others (YAML aliases, duplicate
// step ids, payload schemas that are not JSON Schema) only the validator
// sees.
const SCHEMA_VISIBLE = [
  'bad-slug.yaml',
  'delay-unit.yaml',
  'missing-step-id.json',
  'misspelt-channel.json',
  'preferences-wrong-level.json',
  'too-many-tags.yaml',
  'unknown-key.yaml',
  'unknown-step-type.yaml',
  'wrong-control.yaml'
]

async function filesIn(folder: string): Promise<string[]> {
  const names = await readdir(folder)
  return names.map((name) => path.join(folder, name)).sort()
}

async function verdicts(file: string): Promise<[boolean, boolean]> {
  const text = await readFile(file, 'utf8')
  const relative = path.relative(ROOT, file)
  const byValidator = parseDefinition(relative, text).problems.length === 0
  const schema = JSON.parse(await readFile(SCHEMA_FILE, 'utf8')) as object
  const validate = new Ajv2020({ strict: false }).compile(schema)
  const bySchema = validate(parse(text)) === true
  return [byValidator, bySchema]
}

describe('schema/workflow.schema.json', () => {
  test("is the one generated from the validator's zod schema", async () => {
    expect(await readFile(SCHEMA_FILE, 'utf8')).toBe(await workflowJsonSchema())
  })

  test('accepts every example and good fixture, as the validator does', async () => {
    const files = [
      ...(await filesIn(path.join(ROOT, 'examples/workflows'))),
      ...(await filesIn(path.join(FIXTURES, 'good')))
    ]
    for (const file of files) {
      expect([path.basename(file), ...(await verdicts(file))]).toEqual([
        path.basename(file),
        true,
        true
      ])
    }
  })

  test.each(SCHEMA_VISIBLE)(
    'refuses %s, as the validator does',
    async (name) => {
      expect(await verdicts(path.join(FIXTURES, 'bad', name))).toEqual([
        false,
        false
      ])
    }
  )
})
