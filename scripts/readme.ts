/**
 * Keeps the README's tables of inputs and outputs equal to action.yml,
 * the one place they are defined. The tables sit between marker comments
 * in the README.
 *
 *   node --import tsx scripts/readme.ts           rewrite the tables
 *   node --import tsx scripts/readme.ts --check   fail when they drift
 */
import { readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { format, resolveConfig } from 'prettier'
import { parse } from 'yaml'

const ROOT = new URL('..', import.meta.url)
export const README_FILE = fileURLToPath(new URL('README.md', ROOT))
export const ACTION_FILE = fileURLToPath(new URL('action.yml', ROOT))

interface ActionMetadata {
  inputs?: Record<string, { description: string; default?: string }>
  outputs?: Record<string, { description: string }>
}

function cell(text: string): string {
  return text
    .trim()
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|')
}

export function inputTable(action: ActionMetadata): string {
  const rows = Object.entries(action.inputs ?? {}).map(
    ([name, input]) =>
      `| \`${name}\` | ${input.default ? `\`${input.default}\`` : ''} | ` +
      `${cell(input.description)} |`
  )
  return ['| input | default | meaning |', '| --- | --- | --- |', ...rows].join(
    '\n'
  )
}

export function outputTable(action: ActionMetadata): string {
  const rows = Object.entries(action.outputs ?? {}).map(
    ([name, output]) => `| \`${name}\` | ${cell(output.description)} |`
  )
  return ['| output | meaning |', '| --- | --- |', ...rows].join('\n')
}

/**
 * The README with both tables replaced by ones made from action.yml, laid
 * out by Prettier as the format check expects.
 */
export async function withTables(
  readme: string,
  actionYaml: string
): Promise<string> {
  const action = parse(actionYaml) as ActionMetadata
  const text = replaceBetween(
    replaceBetween(readme, 'inputs', inputTable(action)),
    'outputs',
    outputTable(action)
  )
  const options = await resolveConfig(README_FILE)
  return format(text, { ...options, filepath: README_FILE })
}

function replaceBetween(text: string, name: string, table: string): string {
  const start = `<!-- ${name}:start (generated from action.yml) -->`
  const end = `<!-- ${name}:end -->`
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from === -1 || to < from) {
    throw new Error(`README.md lacks the markers "${start}" … "${end}".`)
  }
  return `${text.slice(0, from + start.length)}\n${table}\n${text.slice(to)}`
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const readme = await readFile(README_FILE, 'utf8')
  const wanted = await withTables(readme, await readFile(ACTION_FILE, 'utf8'))
  if (process.argv.includes('--check')) {
    if (wanted !== readme) {
      console.error(
        'README tables differ from action.yml: run ' +
          '"node --import tsx scripts/readme.ts" and commit README.md.'
      )
      process.exit(1)
    }
  } else {
    await writeFile(README_FILE, wanted)
  }
}
