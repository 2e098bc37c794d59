/**
 * Writes schema/workflow.schema.json, the JSON Schema editors use to
 * complete and check definition files, from the zod schema the action
 * validates with, so that the two cannot disagree.
 *
 *   node --import tsx scripts/schema.ts           write the file
 *   node --import tsx scripts/schema.ts --check   fail when it is stale
 */
import { readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { format, resolveConfig } from 'prettier'
import { z } from 'zod'
import { definitionFileSchema } from '../src/engine/definitions/schema.js'

export const SCHEMA_FILE = fileURLToPath(
  new URL('../schema/workflow.schema.json', import.meta.url)
)

/** The schema as JSON, laid out by Prettier as the format check expects. */
export async function workflowJsonSchema(): Promise<string> {
  const schema = z.toJSONSchema(definitionFileSchema, { io: 'input' })
  const document = {
    $schema: schema.$schema,
    title: 'Novu workflow definition',
    ...schema
  }
  const options = await resolveConfig(SCHEMA_FILE)
  return format(JSON.stringify(document), {
    ...options,
    filepath: SCHEMA_FILE
  })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const wanted = await workflowJsonSchema()
  if (process.argv.includes('--check')) {
    const current = await readFile(SCHEMA_FILE, 'utf8').catch(() => '')
    if (current !== wanted) {
      console.error(
        'schema/workflow.schema.json is stale: run ' +
          '"node --import tsx scripts/schema.ts" and commit it.'
      )
      process.exit(1)
    }
  } else {
    await writeFile(SCHEMA_FILE, wanted)
    console.log(`Wrote ${SCHEMA_FILE}`)
  }
}
