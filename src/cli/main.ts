/**
 * `novu-workflows`: the action's engine from a terminal or another CI
 * system. Flags mirror the action's inputs; the exit code says what
 * happened (see EXIT below), so scripts can branch on a plan.
 */
import { parseArgs } from 'node:util'
import { closest } from '../engine/definitions/suggest.js'
import { exportCounts } from '../engine/export/summary.js'
import type { Mode, RunResult, WorkflowResult } from '../engine/model.js'
import { headline } from '../engine/report/summary.js'
import { describe, runEngine, type EngineLogger } from '../engine/run.js'
import {
  checkSecretKey,
  MODES,
  normaliseApiUrl,
  parseConcurrency,
  parseExportFormat,
  SettingsError,
  splitList,
  type EngineSettings
} from '../engine/settings.js'

/** Exit codes; part of the CLI's contract. */
export const EXIT = {
  /** Success, and in a plan: nothing would change. */
  ok: 0,
  /** Anything failed: flags, files, Novu, a workflow. */
  error: 1,
  /** A plan found changes. */
  changes: 2
} as const

const DEFAULT_WORKFLOWS = 'novu/workflows/**/*.{json,yaml,yml}'

const USAGE = `Usage: novu-workflows <command> [flags]

Commands: ${MODES.join(', ')}

Flags (each mirrors the action input of the same name):
  --secret-key <key>        Development secret key (or NOVU_SECRET_KEY)
  --api-url <url>           Novu API base URL [https://api.novu.co]
  --workflows <glob>        Definition files; repeat for more globs
                            [${DEFAULT_WORKFLOWS}]
  --workflow-ids <ids>      Comma-separated ids; only these are processed
  --targets <names>         Comma-separated environments to promote to
  --concurrency <n|auto>    Most requests in flight [auto]
  --prune                   Delete managed workflows whose file is gone
  --manager <owner/repo>    Ownership tag value (managed-by:<manager>)
  --export-dir <dir>        Folder for export [folder of first glob]
  --export-format <fmt>     yaml or json [yaml]
  --promote-with-issues     Promote workflows Novu marks as in error
  --fail-fast               Stop after the first failed workflow
  --allow-insecure-http     Allow plain http to a host other than this one
  --json                    Print the run result as JSON
  --verbose                 Log each step to stderr

Exit codes: 0 success (a plan without changes), 2 a plan found changes,
1 an error (flags, definition files, Novu, or a failed workflow).
`

const OPTIONS = {
  'secret-key': { type: 'string' },
  'api-url': { type: 'string' },
  workflows: { type: 'string', multiple: true },
  'workflow-ids': { type: 'string', multiple: true },
  targets: { type: 'string', multiple: true },
  concurrency: { type: 'string' },
  prune: { type: 'boolean' },
  manager: { type: 'string' },
  'export-dir': { type: 'string' },
  'export-format': { type: 'string' },
  'promote-with-issues': { type: 'boolean' },
  'fail-fast': { type: 'boolean' },
  'allow-insecure-http': { type: 'boolean' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' }
} as const

interface Output {
  out(text: string): void
  err(text: string): void
}

const stdio: Output = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`)
}

/**
 * A settings or parsing error in the words of the command line: the
 * engine's checks name action inputs, and Node's parser names no fix.
 */
function inFlagTerms(error: unknown): string {
  const message = messageOf(error)
  const unknown = /Unknown option '(-{1,2})([^']+)'/.exec(message)
  if (unknown) {
    const guess = closest(unknown[2] ?? '', Object.keys(OPTIONS))
    return (
      `Unknown flag "${unknown[1]}${unknown[2]}"` +
      (guess ? `; did you mean "--${guess}"?` : '.')
    )
  }
  return asFlags(message)
}

/** Input names in an engine message, turned into the flags they are here. */
function asFlags(message: string): string {
  const names = [...Object.keys(OPTIONS), 'target-environments']
  const flag = (name: string): string =>
    name === 'target-environments' ? '--targets' : `--${name}`
  let text = message.replace(
    /"allow-insecure-http: true"/g,
    '"--allow-insecure-http"'
  )
  for (const name of names) {
    text = text
      .replaceAll(`Input "${name}"`, `Flag "${flag(name)}"`)
      .replaceAll(`the "${name}" input`, `the "${flag(name)}" flag`)
      .replaceAll(`"${name}"`, `"${flag(name)}"`)
  }
  return text
}

/** Runs one command and returns its exit code; never throws. */
export async function main(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  io: Output = stdio
): Promise<number> {
  let settings: EngineSettings
  let json = false
  let verbose = false
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: OPTIONS,
      allowPositionals: true,
      strict: true
    })
    if (values.help === true || positionals.length === 0) {
      io.out(USAGE)
      return values.help === true ? EXIT.ok : EXIT.error
    }
    json = values.json === true
    verbose = values.verbose === true
    settings = settingsFrom(positionals, values, env)
  } catch (error) {
    io.err(`novu-workflows: ${inFlagTerms(error)}`)
    io.err('Run "novu-workflows --help" for the commands and flags.')
    return EXIT.error
  }

  const logger = cliLogger(io, verbose)
  let result: RunResult
  try {
    result = await runEngine(settings, logger)
  } catch (error) {
    io.err(`novu-workflows: the run stopped unexpectedly: ${messageOf(error)}`)
    return EXIT.error
  }

  if (json) io.out(JSON.stringify(result, null, 2))
  else printHuman(result, io)
  return exitCode(result)
}

type Values = ReturnType<
  typeof parseArgs<{ options: typeof OPTIONS }>
>['values']

function settingsFrom(
  positionals: string[],
  values: Values,
  env: NodeJS.ProcessEnv
): EngineSettings {
  const [command, ...rest] = positionals
  if (rest.length > 0) {
    throw new SettingsError(
      `Unexpected argument "${rest[0]}". Give one command, and a flag ` +
        'once per glob: --workflows "a/*.yaml" --workflows "b/*.json".'
    )
  }
  if (!(MODES as readonly string[]).includes(command ?? '')) {
    throw new SettingsError(
      `Unknown command "${command}"; use one of ${MODES.join(', ')}.`
    )
  }
  const mode = command as Mode
  const secretKey = values['secret-key'] ?? env.NOVU_SECRET_KEY ?? ''
  checkSecretKey(secretKey, 'The secret key')
  if (secretKey === '' && mode !== 'validate') {
    throw new SettingsError(
      `Command "${mode}" talks to Novu but no secret key was given. Set ` +
        'NOVU_SECRET_KEY to the Development secret key (or pass ' +
        '--secret-key), or run "validate" to check the files offline.'
    )
  }
  // The action defaults the manager to the repository; a terminal has no
  // such default, and a prune without one would quietly do nothing.
  if (values.prune === true && (values.manager ?? '') === '') {
    throw new SettingsError(
      '--prune needs --manager <owner/repo>, the ownership tag that tells ' +
        "this repository's workflows from others."
    )
  }
  const list = (items: string[] | undefined): string[] =>
    (items ?? []).flatMap((item) => splitList(item))

  return {
    mode,
    apiUrl: normaliseApiUrl(
      values['api-url'] ?? 'https://api.novu.co',
      values['allow-insecure-http'] === true
    ),
    secretKey,
    workflowGlobs: values.workflows ?? [DEFAULT_WORKFLOWS],
    workflowIds: list(values['workflow-ids']),
    targetEnvironments: list(values.targets),
    concurrency: parseConcurrency(values.concurrency ?? 'auto'),
    promoteWithIssues: values['promote-with-issues'] === true,
    failFast: values['fail-fast'] === true,
    prune: values.prune === true,
    manager: values.manager ?? '',
    exportDir: values['export-dir'] ?? '',
    exportFormat: parseExportFormat(values['export-format'] ?? 'yaml'),
    cwd: process.cwd()
  }
}

/** Counts first, then a line per workflow, then what stopped the run. */
function printHuman(result: RunResult, io: Output): void {
  if (result.mode === 'export') {
    io.out(exportCounts(result))
    for (const workflow of result.export?.workflows ?? []) {
      const why = [workflow.reason, ...workflow.notes].filter(Boolean)
      io.out(
        `  ${workflow.outcome.padEnd(9)} ${workflow.workflowId}` +
          (workflow.file ? ` → ${workflow.file}` : '') +
          (why.length > 0 ? `: ${why.join('; ')}` : '')
      )
    }
  } else if (
    result.fatal === undefined ||
    result.workflows.length > 0 ||
    result.problems.length > 0
  ) {
    io.out(plainHeadline(result))
    for (const problem of result.problems) io.out(`  ${describe(problem)}`)
    for (const workflow of result.workflows) io.out(workflowLine(workflow))
  }
  if (result.fatal !== undefined) {
    io.err(`novu-workflows: ${asFlags(result.fatal)}`)
  }
}

/** The job summary's headline without its Markdown. */
export function plainHeadline(result: RunResult): string {
  return headline(result).replace(/\*\*/g, '').replace(/\\(.)/g, '$1')
}

function workflowLine(workflow: WorkflowResult): string {
  const parts: string[] = []
  const development = workflow.development
  if (development !== undefined) parts.push(development.outcome)
  else if (workflow.promotions.length === 0) {
    parts.push(`valid (${workflow.file ?? ''}:${workflow.line ?? 1})`)
  }
  for (const promotion of workflow.promotions) {
    parts.push(`${promotion.environment}: ${promotion.outcome}`)
  }
  const reasons = [
    development?.reason,
    ...workflow.promotions.map((p) => p.reason)
  ].filter((reason) => reason !== undefined)
  const changes = development?.changes.map((change) => change.path) ?? []
  return (
    `  ${workflow.workflowId}: ${parts.join(', ')}` +
    (changes.length > 0 ? ` (${changes.join(', ')})` : '') +
    (reasons.length > 0 ? `; ${reasons.join('; ')}` : '')
  )
}

function exitCode(result: RunResult): number {
  if (
    result.fatal !== undefined ||
    result.problems.length > 0 ||
    result.counts.failed > 0
  ) {
    return EXIT.error
  }
  if (result.mode === 'plan' && result.hasChanges) return EXIT.changes
  return EXIT.ok
}

function cliLogger(io: Output, verbose: boolean): EngineLogger {
  return {
    info: (message) => (verbose ? io.err(message) : undefined),
    warning: (message) => io.err(`warning: ${message}`),
    debug: () => undefined,
    group: async (name, work) => {
      if (verbose) io.err(`── ${name}`)
      return work()
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
