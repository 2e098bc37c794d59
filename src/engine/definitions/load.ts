/**
 * Finds the definition files, parses each, and checks what no single file
 * can: that each workflowId is defined once, and that every id asked for
 * has a file. Problems are collected, never thrown, so one run reports
 * every mistake at once.
 */
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { glob } from 'tinyglobby'
import type { DefinitionProblem, LoadedDefinition } from '../model.js'
import { parseDefinition } from './parse.js'
import type { ParseResult } from './parse.js'

export interface LoadOptions {
  cwd: string
  /** Globs relative to `cwd`, one pattern each. */
  globs: string[]
  /** When non-empty, only these definitions are returned. */
  workflowIds?: string[]
  /** Larger files are refused; 1 MiB by default. */
  maxFileBytes?: number
  /** More matched files refuse the whole load; 5000 by default. */
  maxFiles?: number
}

export interface LoadOutcome {
  /** Valid definitions, sorted by workflowId. */
  definitions: LoadedDefinition[]
  /**
   * Sorted by file and line. A problem that concerns no single file (too
   * many files, an unknown workflow id) has file '' and line 0.
   */
  problems: DefinitionProblem[]
  /** Matched files, relative to `cwd`, forward slashes, sorted. */
  files: string[]
}

export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024
export const DEFAULT_MAX_FILES = 5000

const EXTENSIONS = ['.json', '.yaml', '.yml']

// Reading every file at once could exhaust file handles in big repos.
const READ_BATCH = 32

export async function loadDefinitions(
  options: LoadOptions
): Promise<LoadOutcome> {
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES
  const maxFiles = options.maxFiles ?? DEFAULT_MAX_FILES
  const patterns = options.globs.map((glob) => glob.trim()).filter(Boolean)

  // Each glob is matched on its own, so that one matching nothing is
  // named: a typo in one of several globs would otherwise drop its files
  // silently, and with prune their workflows would look deleted.
  const positive = patterns.filter((pattern) => !pattern.startsWith('!'))
  const ignore = patterns
    .filter((pattern) => pattern.startsWith('!'))
    .map((pattern) => pattern.slice(1))
  const perGlob = await Promise.all(
    positive.map((pattern) =>
      glob(pattern, {
        cwd: options.cwd,
        ignore,
        dot: false,
        onlyFiles: true,
        expandDirectories: false,
        caseSensitiveMatch: false
      })
    )
  )
  const unmatched = positive.filter(
    (_pattern, index) => perGlob[index]?.length === 0
  )
  const files = [...new Set(perGlob.flat())]
    .map((file) => file.split(path.sep).join('/'))
    .sort()
  if (unmatched.length > 0 && files.length > 0) {
    return {
      definitions: [],
      files,
      problems: unmatched.map((pattern) => ({
        file: '',
        line: 0,
        field: 'workflows',
        message:
          `The glob "${pattern}" matches no file, so the definitions it ` +
          'was meant to find would be left out; fix the path (globs are ' +
          'relative to the repository root) or remove the glob.' +
          commaHint(pattern)
      }))
    }
  }

  if (files.length > maxFiles) {
    return {
      definitions: [],
      problems: [
        {
          file: '',
          line: 0,
          field: '',
          message:
            `The workflow globs match ${files.length} files, more ` +
            `than the limit of ${maxFiles}; narrow the globs to the ` +
            'definition files.'
        }
      ],
      files
    }
  }

  const problems: DefinitionProblem[] = []
  const loaded: LoadedDefinition[] = []
  const claims: Claim[] = []
  const idsInFiles = new Set<string>()

  for (let start = 0; start < files.length; start += READ_BATCH) {
    const batch = files.slice(start, start + READ_BATCH)
    const results = await Promise.all(
      batch.map((file) => loadFile(options.cwd, file, maxFileBytes))
    )
    for (const [index, result] of results.entries()) {
      problems.push(...result.problems)
      if (result.loaded) loaded.push(result.loaded)
      const file = batch[index]
      if (result.claim && file !== undefined) {
        claims.push({ file, ...result.claim })
      }
      for (const problem of result.problems) {
        if (problem.workflowId) idsInFiles.add(problem.workflowId)
      }
    }
  }

  const unique = dropDuplicates(loaded, claims, problems)
  for (const { definition } of loaded) idsInFiles.add(definition.workflowId)

  const wanted = options.workflowIds?.filter(Boolean) ?? []
  for (const workflowId of wanted) {
    if (idsInFiles.has(workflowId)) continue
    problems.push({
      file: '',
      line: 0,
      field: '',
      workflowId,
      message:
        `No definition file has workflowId "${workflowId}"; check ` +
        'the workflow-ids input for a typo, or the globs for the file.'
    })
  }

  const selected =
    wanted.length === 0
      ? unique
      : unique.filter(({ definition }) =>
          wanted.includes(definition.workflowId)
        )

  return {
    definitions: selected.sort((a, b) =>
      compare(a.definition.workflowId, b.definition.workflowId)
    ),
    problems: problems.sort(
      (a, b) =>
        compare(a.file, b.file) ||
        a.line - b.line ||
        (a.column ?? 0) - (b.column ?? 0)
    ),
    files
  }
}

async function loadFile(
  cwd: string,
  file: string,
  maxFileBytes: number
): Promise<ParseResult> {
  const extension = path.extname(file).toLowerCase()
  if (!EXTENSIONS.includes(extension)) {
    return refuse(
      file,
      `The file "${file}" matches the workflow globs but ` +
        'is not .json, .yaml or .yml; narrow the globs or rename the file.'
    )
  }

  const absolute = path.resolve(cwd, file)
  const { size } = await stat(absolute)
  if (size > maxFileBytes) {
    return refuse(
      file,
      `The file is ${size} bytes, more than the limit ` +
        `of ${maxFileBytes}; a workflow definition should be far smaller, ` +
        'so split it or move large content out.'
    )
  }

  const text = (await readFile(absolute, 'utf8')).replace(/^\uFEFF/, '')
  return parseDefinition(file, text)
}

function refuse(file: string, message: string): ParseResult {
  return { problems: [{ file, line: 1, field: '', message }] }
}

/** A file's workflowId, valid file or not. */
interface Claim {
  file: string
  workflowId: string
  line: number
}

/**
 * Two files with one workflowId would overwrite each other in Novu, and
 * neither can be trusted to be the right one: both are reported and both
 * are left out. Invalid files count too, so that fixing one mistake does
 * not bring another to light on the next run.
 */
function dropDuplicates(
  loaded: LoadedDefinition[],
  claims: Claim[],
  problems: DefinitionProblem[]
): LoadedDefinition[] {
  const byId = new Map<string, Claim[]>()
  for (const claim of claims) {
    byId.set(claim.workflowId, [...(byId.get(claim.workflowId) ?? []), claim])
  }

  const duplicated = new Set<string>()
  for (const [workflowId, claimants] of byId) {
    if (claimants.length < 2) continue
    duplicated.add(workflowId)
    for (const claim of claimants) {
      const others = claimants
        .filter((other) => other !== claim)
        .map((other) => other.file)
      problems.push({
        file: claim.file,
        line: claim.line,
        field: 'workflowId',
        workflowId,
        message:
          `workflowId "${workflowId}" is also defined in ` +
          `${others.join(', ')}; each workflow must have one file, so ` +
          'rename one id or delete one file.'
      })
    }
  }
  return loaded.filter((entry) => !duplicated.has(entry.definition.workflowId))
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * Globs are one per line; a comma outside braces most likely joins two
 * that were meant to be separate, as the list inputs beside it allow.
 */
export function commaHint(pattern: string): string {
  let depth = 0
  for (const character of pattern) {
    if (character === '{') depth += 1
    else if (character === '}') depth = Math.max(0, depth - 1)
    else if (character === ',' && depth === 0) {
      return ' Globs go one per line in "workflows", not after commas.'
    }
  }
  return ''
}
