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
import { z } from 'zod'
import { definitionFileSchema } from '../src/engine/definitions/schema.js'

export const SCHEMA_FILE = fileURLToPath(
  new URL('../schema/workflow.schema.json', import.meta.url)
)

export function workflowJsonSchema(): string {
  const schema = z.toJSONSchema(definitionFileSchema, { io: 'input' })
  const document = {
    $schema: schema.$schema,
    title: 'Novu workflow definition',
    ...schema
  }
  return `${JSON.stringify(document, null, 2)}\n`
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const wanted = workflowJsonSchema()
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
