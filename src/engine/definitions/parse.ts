/**
 * One definition file, from text to a validated, normalised definition.
 * Files come from the repository and may come from a pull request, so the
 * parser treats them as untrusted: no prototype keys, and no YAML aliases
 * beyond a handful, which could otherwise expand a small file enormously.
 */
import {
  isAlias,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  visit
} from 'yaml'
import type { Document, Node, Pair } from 'yaml'
import type { DefinitionProblem, LoadedDefinition } from '../model.js'
import { checkRules } from './checks.js'
import { explainIssues, valueAt } from './issues.js'
import type { Report } from './issues.js'
import { normaliseDefinition } from './normalise.js'
import { definitionFileSchema } from './schema.js'
import { createSource, formatField } from './source.js'
import type { DocumentSource, FieldPath } from './source.js'

/** More aliases than this in one file are refused. */
export const MAX_ALIASES = 10

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

export interface ParseResult {
  loaded?: LoadedDefinition
  problems: DefinitionProblem[]
  /**
   * The workflowId the file names, even when the file is invalid, so that
   * two files claiming one id are found in the same run as other mistakes.
   */
  claim?: { workflowId: string; line: number }
}

export function parseDefinition(file: string, text: string): ParseResult {
  const problems: DefinitionProblem[] = []
  const fail = (line: number, message: string, column?: number) => {
    const where = column ? { line, column } : { line }
    problems.push({ file, ...where, field: '', message })
    return { problems }
  }

  const lineCounter = new LineCounter()
  const docs = parseAllDocuments(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    merge: false
  })
  const doc = docs[0]
  if (doc === undefined || (doc.contents === null && doc.errors.length === 0)) {
    return fail(
      1,
      'The file is empty; write one workflow with workflowId, ' +
        'name and steps, or remove the file.'
    )
  }

  const syntax = syntaxProblem(file, text, doc, lineCounter)
  if (syntax) return { problems: [syntax] }

  const second = docs[1]
  if (second !== undefined) {
    const { line } = lineCounter.linePos(second.range[0])
    return fail(
      line,
      `The file holds ${docs.length} YAML documents; keep ` +
        'one workflow per file and move the others to files of their own.'
    )
  }

  const unsafe = unsafeProblems(file, doc, lineCounter)
  if (unsafe.length > 0) return { problems: unsafe }

  let data: unknown
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES * 10 })
  } catch (error) {
    return fail(
      1,
      `The file cannot be read: ${(error as Error).message}; ` +
        'write the values out instead of using YAML aliases.'
    )
  }

  const source = createSource(file, doc, lineCounter)
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    const kind = Array.isArray(data) ? 'a list' : `a ${typeof data}`
    return fail(
      source.line,
      `The file holds ${kind}, not a workflow; ` +
        'write one object with workflowId, name and steps.'
    )
  }
  const record = data as Record<string, unknown>

  const report = reporter(file, record, source, problems)
  const parsed = definitionFileSchema.safeParse(record)
  if (!parsed.success) explainIssues(parsed.error.issues, record, report)
  checkRules(record, report)

  problems.sort((a, b) => a.line - b.line || (a.column ?? 0) - (b.column ?? 0))
  const claim =
    typeof record.workflowId === 'string'
      ? {
          workflowId: record.workflowId,
          line: source.positionOf(['workflowId']).line
        }
      : undefined
  if (problems.length > 0 || !parsed.success) {
    return { problems, ...(claim && { claim }) }
  }

  return {
    loaded: { definition: normaliseDefinition(parsed.data), source },
    problems,
    ...(claim && { claim })
  }
}

function reporter(
  file: string,
  data: Record<string, unknown>,
  source: DocumentSource,
  problems: DefinitionProblem[]
): Report {
  const workflowId =
    typeof data.workflowId === 'string' ? data.workflowId : undefined

  return (path: FieldPath, message: string) => {
    const { line, column } = source.positionOf(path)
    const stepId =
      path[0] === 'steps' && typeof path[1] === 'number'
        ? valueAt(data, ['steps', path[1], 'stepId'])
        : undefined
    problems.push({
      file,
      line,
      column,
      field: formatField(path),
      ...(workflowId !== undefined ? { workflowId } : {}),
      ...(typeof stepId === 'string' ? { stepId } : {}),
      message
    })
  }
}

function syntaxProblem(
  file: string,
  text: string,
  doc: Document.Parsed,
  lineCounter: LineCounter
): DefinitionProblem | undefined {
  // A .json file must be JSON, not just YAML that happens to load: a
  // trailing comma or YAML text would pass here and fail in every editor
  // and tool that reads the file as JSON. JSON's own complaint also reads
  // better than YAML's.
  const isJson = file.toLowerCase().endsWith('.json')
  const json = isJson ? jsonError(text) : undefined
  const error = doc.errors[0]
  if (json === undefined && error === undefined) return undefined

  // JSON itself allows a repeated key; the stricter check is the YAML
  // parser's, but the file is JSON and the message should say so.
  const offset = json?.offset ?? error?.pos[0] ?? 0
  const reason =
    json?.message ??
    (error?.message ?? '').replace(/\s+at line \d+[\s\S]*$/, '')
  const { line, col } = lineCounter.linePos(offset)
  return {
    file,
    line,
    column: col,
    field: '',
    message:
      `The file is not valid ${isJson ? 'JSON' : 'YAML'}: ${reason}; fix ` +
      'the syntax at this position.'
  }
}

function jsonError(text: string) {
  try {
    JSON.parse(text)
    return undefined
  } catch (error) {
    const message = (error as Error).message
    const at = /position (\d+)/.exec(message)
    const offset = at ? Number(at[1]) : 0
    // JSON blames the bracket after a trailing comma; the comma is the fix.
    const before = text.slice(0, offset).trimEnd()
    if (/^[}\]]/.test(text.slice(offset)) && before.endsWith(',')) {
      return {
        offset: before.length - 1,
        message: 'a trailing comma before the closing bracket'
      }
    }
    return {
      offset,
      // The position is reported as line and column instead.
      message: message
        .replace(/\s*\(line \d+ column \d+\)/, '')
        .replace(/\s*in JSON at position \d+.*$/, '')
    }
  }
}

function unsafeProblems(
  file: string,
  doc: Document.Parsed,
  lineCounter: LineCounter
): DefinitionProblem[] {
  const problems: DefinitionProblem[] = []
  const at = (offset: number | undefined) => {
    const { line, col } = lineCounter.linePos(offset ?? 0)
    return { line, column: col }
  }
  let aliases = 0
  let firstAlias: number | undefined

  visit(doc, {
    Alias(_, node) {
      aliases++
      firstAlias ??= node.range?.[0]
    },
    Pair(_, pair, ancestors) {
      const key = pair.key
      const start = (key as { range?: [number, number, number] } | null)
        ?.range?.[0]
      if (!isScalar(key) || isAlias(key)) {
        problems.push({
          file,
          ...at(start),
          field: '',
          message:
            'A key in this file is not plain text; write every key ' +
            'as a string.'
        })
        return
      }
      const name = String(key.value)
      if (FORBIDDEN_KEYS.has(name)) {
        problems.push({
          file,
          ...at(start),
          field: formatField([...pathOf(ancestors, pair), name]),
          message:
            `The key "${name}" is not allowed anywhere in a ` +
            'definition file, as it could alter how the file is read; ' +
            'rename or remove it.'
        })
      }
    }
  })

  if (aliases > MAX_ALIASES) {
    problems.push({
      file,
      ...at(firstAlias),
      field: '',
      message:
        `The file uses ${aliases} YAML aliases but at most ` +
        `${MAX_ALIASES} are allowed, so that a small file cannot expand ` +
        'into a huge one; write the values out instead.'
    })
  }
  return problems
}

/** The field path of a pair, from the ancestors that `visit` hands over. */
function pathOf(
  ancestors: readonly (Document | Node | Pair)[],
  pair: Pair
): Array<string | number> {
  const path: Array<string | number> = []
  ancestors.forEach((node, index) => {
    if (isPair(node) && isScalar(node.key)) {
      path.push(String(node.key.value))
    } else if (isSeq(node)) {
      const child = ancestors[index + 1] ?? pair
      path.push(node.items.indexOf(child))
    }
  })
  return path
}
