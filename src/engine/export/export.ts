/**
 * Export: every workflow of Development written as a definition file, so
 * that a team with an existing Novu setup can adopt the action by
 * committing what Novu already holds.
 */
import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import pLimit from 'p-limit'
import { glob } from 'tinyglobby'
import { parse } from 'yaml'
import type {
  ExportedWorkflow,
  ExportFormat,
  ExportResult,
  RemoteWorkflow
} from '../model.js'
import { SCHEMA_URL } from '../definitions/schema.js'
import type { NovuGateway } from '../novu/gateway.js'
import type { EngineLogger } from '../run.js'
import type { EngineSettings } from '../settings.js'
import { renderDefinition, serialise } from './render.js'

/** The schema's place when exporting inside this action's repository. */
const SCHEMA_FILE = 'schema/workflow.schema.json'

const EXTENSIONS: Record<ExportFormat, string> = { yaml: 'yaml', json: 'json' }

/** Reads made at once when `concurrency` is `auto`. */
const AUTO_READS = 8

/** Novu only lets the API manage workflows of this origin. */
const MANAGEABLE_ORIGIN = 'novu-cloud'

export async function exportWorkflows(
  settings: EngineSettings,
  logger: EngineLogger,
  gateway: NovuGateway
): Promise<ExportResult> {
  const format = settings.exportFormat ?? 'yaml'
  const directory = exportDirectory(settings)
  const absolute = path.resolve(settings.cwd, directory)
  // A relative path only where the schema file is there to point at;
  // in a user's repository it is not, and the published copy serves.
  const local = path.resolve(settings.cwd, SCHEMA_FILE)
  const schemaRef = existsSync(local)
    ? toPosix(path.relative(absolute, local))
    : SCHEMA_URL
  const result: ExportResult = { directory, format, workflows: [] }

  const listed = await logger.group('Reading Development', async () => {
    const all = await gateway.listWorkflows()
    logger.info(`Development holds ${all.length} workflow(s)`)
    const wanted = new Set(settings.workflowIds)
    const chosen =
      wanted.size === 0 ? all : all.filter((w) => wanted.has(w.workflowId))
    if (wanted.size > 0) {
      const found = new Set(chosen.map((w) => w.workflowId))
      const absent = [...wanted].filter((id) => !found.has(id))
      if (absent.length > 0) {
        // Ends the run: the engine reports it as the reason it stopped.
        throw new Error(
          `Development holds no workflow ${absent
            .map((id) => `"${id}"`)
            .join(', ')}, named in "workflow-ids"; check the ids.`
        )
      }
      logger.info(`Exporting the ${chosen.length} named in "workflow-ids"`)
    }
    return chosen.sort((a, b) => a.workflowId.localeCompare(b.workflowId))
  })
  const existing = await existingFiles(absolute)
  await mkdir(absolute, { recursive: true })

  const limit = pLimit(
    settings.concurrency === 'auto' ? AUTO_READS : settings.concurrency
  )
  await logger.group(`Writing definitions to "${directory}"`, async () => {
    const claimed = new Set<string>()
    const held = await Promise.all(
      listed.map((summary) =>
        summary.origin === MANAGEABLE_ORIGIN
          ? limit(() => readOne(gateway, summary.workflowId))
          : Promise.resolve(undefined)
      )
    )
    // Files are decided one after another, so that two workflows cannot
    // claim the same name.
    for (const [index, summary] of listed.entries()) {
      const id = summary.workflowId
      let entry: ExportedWorkflow
      if (summary.origin !== MANAGEABLE_ORIGIN) {
        entry = {
          workflowId: id,
          outcome: 'skipped',
          notes: [],
          reason:
            `origin is "${summary.origin}": it is defined in code by a ` +
            'bridge application, which stays its source of truth'
        }
      } else {
        const read = held[index]
        entry =
          read instanceof Error || read === undefined
            ? {
                workflowId: id,
                outcome: 'failed',
                notes: [],
                reason: `could not read it: ${read?.message ?? 'no answer'}`
              }
            : await writeOne(read, {
                absolute,
                cwd: settings.cwd,
                format,
                schemaRef,
                existing,
                claimed
              })
      }
      result.workflows.push(entry)
      logExported(logger, entry)
    }
  })
  return result
}

/**
 * The folder for exported files: the `export-dir` input, else the static
 * part of the first `workflows` glob, so that the next deploy finds them.
 */
export function exportDirectory(settings: EngineSettings): string {
  if (settings.exportDir !== undefined && settings.exportDir.trim() !== '') {
    return toPosix(path.normalize(settings.exportDir.trim()))
  }
  const first = settings.workflowGlobs[0] ?? ''
  const fixed: string[] = []
  for (const segment of first.split('/')) {
    if (/[*?[\]{}()!]/.test(segment)) break
    fixed.push(segment)
  }
  // A glob naming one file leaves its folder.
  if (fixed.length === first.split('/').length) fixed.pop()
  return fixed.join('/') || '.'
}

async function readOne(
  gateway: NovuGateway,
  workflowId: string
): Promise<RemoteWorkflow | Error | undefined> {
  try {
    return (await gateway.getWorkflow(workflowId)) ?? undefined
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error))
  }
}

interface Target {
  absolute: string
  cwd: string
  format: ExportFormat
  schemaRef: string
  /** Definition files already in the folder, by the workflowId they hold. */
  existing: ExistingFiles
  /** Lower-cased paths written in this run. */
  claimed: Set<string>
}

async function writeOne(
  workflow: RemoteWorkflow,
  target: Target
): Promise<ExportedWorkflow> {
  const id = workflow.workflowId
  const { data, notes } = renderDefinition(workflow, target.schemaRef)

  // A workflow that already has a file keeps it, in its own format.
  const own = target.existing.byId.get(id)
  const file =
    own ?? path.join(target.absolute, `${id}.${EXTENSIONS[target.format]}`)
  const relative = toPosix(path.relative(target.cwd, file))
  const format: ExportFormat = file.endsWith('.json') ? 'json' : 'yaml'

  const key = file.toLowerCase()
  const holder = target.existing.byFile.get(file)
  if (target.claimed.has(key) || (holder !== undefined && holder !== id)) {
    const what =
      holder === undefined || holder === ''
        ? 'already holds another workflow'
        : `already holds workflow "${holder}"`
    return {
      workflowId: id,
      file: relative,
      outcome: 'skipped',
      notes,
      reason:
        `"${relative}" ${what}, so it is not overwritten. Move that ` +
        'file, or export into an empty folder with "export-dir".'
    }
  }
  target.claimed.add(key)

  const text = serialise(data, format)
  const before = target.existing.text.get(file)
  if (before === text) {
    return { workflowId: id, file: relative, outcome: 'unchanged', notes }
  }
  try {
    await writeFile(file, text)
  } catch (error) {
    return {
      workflowId: id,
      file: relative,
      outcome: 'failed',
      notes,
      reason: `could not write "${relative}": ${String(error)}`
    }
  }
  return {
    workflowId: id,
    file: relative,
    outcome: before === undefined ? 'written' : 'rewritten',
    notes
  }
}

interface ExistingFiles {
  byId: Map<string, string>
  /** Absolute path to the workflowId it holds; '' when it holds none. */
  byFile: Map<string, string>
  text: Map<string, string>
}

/** The definition files already in the folder, read leniently. */
async function existingFiles(directory: string): Promise<ExistingFiles> {
  const files = await glob('**/*.{json,yaml,yml}', {
    cwd: directory,
    absolute: true,
    dot: false
  })
  const found: ExistingFiles = {
    byId: new Map(),
    byFile: new Map(),
    text: new Map()
  }
  for (const file of files.map((f) => path.normalize(f)).sort()) {
    const text = await readFile(file, 'utf8')
    const id = workflowIdIn(text)
    found.byFile.set(file, id)
    found.text.set(file, text)
    if (id !== '' && !found.byId.has(id)) found.byId.set(id, file)
  }
  return found
}

function workflowIdIn(text: string): string {
  try {
    const data: unknown = parse(text, { maxAliasCount: 10 })
    const id = (data as { workflowId?: unknown } | null)?.workflowId
    return typeof id === 'string' ? id : ''
  } catch {
    return ''
  }
}

function logExported(logger: EngineLogger, entry: ExportedWorkflow): void {
  const id = `"${entry.workflowId}"`
  const where = entry.file !== undefined ? ` "${entry.file}"` : ''
  if (entry.outcome === 'skipped' || entry.outcome === 'failed') {
    logger.warning(`${id}: ${entry.outcome}; ${entry.reason ?? ''}`)
  } else {
    logger.info(`${id}: ${entry.outcome}${where}`)
  }
  for (const note of entry.notes) logger.warning(`${id}: ${note}`)
}

function toPosix(file: string): string {
  return file.split(path.sep).join('/')
}
