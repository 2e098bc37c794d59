import type {
  DevelopmentOutcome,
  PromotionOutcome,
  PromotionResult,
  RunResult,
  WorkflowResult
} from '../model.js'
import type { FieldChange } from '../model.js'
import {
  byteSize,
  codeSpan,
  escapeMarkdown,
  plural,
  showValue
} from './markdown.js'

export interface SummaryOptions {
  /** Link to the run, for reports that had to be cut. */
  runUrl?: string
  /** Most UTF-8 bytes the report may take, as GitHub counts its limits. */
  budget?: number
  /**
   * `changed` lists only workflows that change or fail, for readers who
   * want the difference (a pull-request comment); `all` lists every one.
   */
  rows?: 'all' | 'changed'
  /** A line for the footer, such as the commit the report is for. */
  note?: string
}

/** A job summary may hold 1 MiB; leave room for other steps' summaries. */
export const SUMMARY_BUDGET = 512 * 1024

const MODE_TITLES: Record<RunResult['mode'], string> = {
  validate: 'Validation',
  plan: 'Plan',
  upsert: 'Upsert into Development',
  sync: 'Promotion',
  deploy: 'Deploy',
  export: 'Export from Development'
}

const DEVELOPMENT_LABELS: Record<DevelopmentOutcome, string> = {
  created: '🆕 created',
  updated: '✏️ updated',
  unchanged: '✅ unchanged',
  failed: '❌ failed',
  skipped: '⏭️ skipped',
  'would-create': '🆕 to create',
  'would-update': '✏️ to update',
  deleted: '🗑️ deleted',
  'would-delete': '🗑️ to delete'
}

const PROMOTION_LABELS: Record<PromotionOutcome, string> = {
  synced: '🚀 synced',
  'in-sync': '✅ in sync',
  failed: '❌ failed',
  skipped: '⏭️ skipped',
  'would-sync': '🚀 to sync',
  orphaned: '👻 left behind (deleted from Development)'
}

/**
 * The job summary of a run: a headline with counts, run-level and
 * definition problems, one row per workflow with a column per environment,
 * then the field changes of each changed workflow, collapsed.
 */
export function renderSummary(
  result: RunResult,
  options: SummaryOptions = {}
): string {
  const budget = options.budget ?? SUMMARY_BUDGET
  const head: string[] = [`## Novu workflows: ${MODE_TITLES[result.mode]}`, '']
  head.push(headline(result), '')
  if (result.mode === 'plan' && result.fatal === undefined) {
    head.push(
      'Nothing was written to Novu: this is what a deploy would do.',
      ''
    )
  }
  if (result.fatal !== undefined) {
    head.push(`> [!CAUTION]`, `> ${escapeMarkdown(result.fatal)}`, '')
  }
  if (result.problems.length > 0) head.push(...problemList(result), '')

  const listed =
    options.rows === 'changed'
      ? result.workflows.filter(changesOrFails)
      : result.workflows
  const rows = listed.length > 0 ? table(result, listed) : []
  const quiet = result.workflows.length - listed.length
  if (quiet > 0) {
    rows.push('', `${plural(quiet, 'other workflow')} already match.`)
  }
  const details = result.workflows
    .map(detailsOf)
    .filter((block) => block.length > 0)
  const tail = [footer(result, options.note)]

  return fitBudget(head, rows, details, tail, budget, options.runUrl)
}

const QUIET_DEVELOPMENT = new Set<DevelopmentOutcome | undefined>([
  undefined,
  'unchanged'
])

/** Whether a workflow changes (or would), fails or is held back anywhere. */
export function changesOrFails(workflow: WorkflowResult): boolean {
  return (
    !QUIET_DEVELOPMENT.has(workflow.development?.outcome) ||
    workflow.promotions.some((p) => p.outcome !== 'in-sync')
  )
}

/** The counts line that opens every report. */
export function headline(result: RunResult): string {
  const { counts } = result
  if (result.mode === 'validate') {
    return result.problems.length === 0 && result.fatal === undefined
      ? `**${plural(result.workflows.length || countFiles(result), 'definition')} valid**`
      : `**${plural(result.problems.length, 'problem')}** in definition files`
  }
  if (result.mode === 'plan') {
    const create = countOutcome(result, 'would-create')
    const update = countOutcome(result, 'would-update')
    const remove = countOutcome(result, 'would-delete')
    const parts = [
      `**${create} to create**`,
      `**${update} to update**`,
      `${counts.unchanged} unchanged`
    ]
    // Deletions lead: they are the change nobody expects.
    if (remove > 0) parts.unshift(`**${remove} to delete**`)
    for (const target of result.targets) {
      const behind = result.workflows.filter((w) =>
        w.promotions.some(
          (p) => p.environment === target && p.outcome === 'would-sync'
        )
      ).length
      parts.push(`${escapeMarkdown(target)}: ${behind} behind`)
    }
    if (counts.failed > 0) parts.push(`**${counts.failed} failed**`)
    return parts.join(' · ')
  }
  if (result.mode === 'sync') {
    const inSync = result.workflows.flatMap((w) =>
      w.promotions.filter((p) => p.outcome === 'in-sync')
    ).length
    return [
      `**${counts.synced} synced**`,
      `${inSync} already in sync`,
      counts.failed > 0 ? `**${counts.failed} failed**` : '0 failed'
    ].join(' · ')
  }
  const parts = [
    `**${counts.created} created**`,
    `**${counts.updated} updated**`,
    `${counts.unchanged} unchanged`,
    `**${counts.synced} synced**`,
    counts.failed > 0 ? `**${counts.failed} failed**` : '0 failed'
  ]
  // Deletes happen only when asked for; a zero would be noise otherwise.
  if (counts.deleted > 0) parts.splice(2, 0, `**${counts.deleted} deleted**`)
  return parts.join(' · ')
}

function countFiles(result: RunResult): number {
  return new Set(result.problems.map((p) => p.file)).size
}

function countOutcome(result: RunResult, outcome: DevelopmentOutcome): number {
  return result.workflows.filter((w) => w.development?.outcome === outcome)
    .length
}

function problemList(result: RunResult): string[] {
  const lines = ['### Problems in definition files', '']
  for (const problem of result.problems) {
    // A problem with no file lies in an input that chooses the files.
    const place =
      problem.file === ''
        ? 'input'
        : codeSpan(`${problem.file}:${problem.line}`)
    const field = problem.field ? ` ${codeSpan(problem.field)}` : ''
    lines.push(`- ${place}${field}: ${escapeMarkdown(problem.message)}`)
  }
  return lines
}

function table(result: RunResult, workflows: WorkflowResult[]): string[] {
  const showDevelopment = result.workflows.some((w) => w.development)
  const columns = ['Workflow']
  if (showDevelopment) columns.push('Development')
  columns.push(...result.targets.map(escapeMarkdown))
  const lines = [
    `| ${columns.join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`
  ]
  for (const workflow of workflows) {
    const cells = [workflowCell(workflow)]
    if (showDevelopment) cells.push(developmentCell(workflow))
    for (const target of result.targets) {
      cells.push(
        promotionCell(workflow.promotions.find((p) => p.environment === target))
      )
    }
    lines.push(`| ${cells.join(' | ')} |`)
  }
  return lines
}

function workflowCell(workflow: WorkflowResult): string {
  // A pipe splits a table cell even inside a code span.
  const id = codeSpan(workflow.workflowId).replace(/\|/g, '\\|')
  return workflow.name && workflow.name !== workflow.workflowId
    ? `${id} ${escapeMarkdown(workflow.name)}`
    : id
}

function developmentCell(workflow: WorkflowResult): string {
  const result = workflow.development
  if (result === undefined) return '—'
  let cell = DEVELOPMENT_LABELS[result.outcome]
  if (result.outcome === 'updated' || result.outcome === 'would-update') {
    cell += ` (${plural(result.changes.length, 'field')})`
  }
  if (result.reason) cell += `: ${escapeMarkdown(result.reason)}`
  if (result.issues.length > 0) {
    cell += ` ⚠️ ${plural(result.issues.length, 'issue')}`
  }
  return cell
}

function promotionCell(promotion: PromotionResult | undefined): string {
  if (promotion === undefined) return '—'
  let cell = PROMOTION_LABELS[promotion.outcome]
  if (promotion.reason) cell += `: ${escapeMarkdown(promotion.reason)}`
  return cell
}

function detailsOf(workflow: WorkflowResult): string[] {
  const sections = changeSections(workflow)
  const issues = workflow.development?.issues ?? []
  if (sections.length === 0 && issues.length === 0) return []

  const file = workflow.file ? ` (${escapeMarkdown(workflow.file)})` : ''
  const lines = [
    `<details><summary><code>${escapeMarkdown(workflow.workflowId)}</code>` +
      `${file}</summary>`,
    ''
  ]
  for (const [environments, changes] of sections) {
    lines.push(`**${environments.map(escapeMarkdown).join(', ')}**`, '')
    for (const change of changes) {
      lines.push(
        `- ${codeSpan(change.path)}: ` +
          `${showValue(change.before)} → ${showValue(change.after)}`
      )
    }
    lines.push('')
  }
  if (issues.length > 0) {
    lines.push('**Issues Novu reports**', '')
    for (const issue of issues) {
      const where = [issue.stepId, issue.field].filter(Boolean).join('.')
      lines.push(
        `- ${where ? `${codeSpan(where)}: ` : ''}` +
          escapeMarkdown(issue.message)
      )
    }
    lines.push('')
  }
  lines.push('</details>', '')
  return lines
}

/**
 * Field changes per environment. A plan often finds each target behind
 * by the very changes Development is about to get; such environments
 * share one list instead of repeating it.
 */
function changeSections(
  workflow: WorkflowResult
): Array<[string[], FieldChange[]]> {
  const sections: Array<[string[], FieldChange[], string]> = []
  const add = (environment: string, changes: FieldChange[]): void => {
    if (changes.length === 0) return
    const key = safeJson(changes)
    const same = sections.find((section) => section[2] === key)
    if (same !== undefined) same[0].push(environment)
    else sections.push([[environment], changes, key])
  }
  add('Development', workflow.development?.changes ?? [])
  for (const promotion of workflow.promotions) {
    add(promotion.environment, promotion.changes)
  }
  return sections.map(([environments, changes]) => [environments, changes])
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value)
  } catch {
    return String(Math.random())
  }
}

function footer(result: RunResult, note?: string): string {
  const seconds = (result.durationMs / 1000).toFixed(1)
  const requests = result.requests
    ? ` · ${plural(result.requests.requests, 'request')} to Novu`
    : ''
  const extra = note ? ` · ${note}` : ''
  return `<sub>${seconds} s${requests}${extra}</sub>`
}

/**
 * Joins the parts within the budget. Over it, field changes are dropped
 * from the last workflow back, then table rows, with a note under the
 * counts that says what was left out and where to find it.
 */
function fitBudget(
  head: string[],
  rows: string[],
  details: string[][],
  tail: string[],
  budget: number,
  runUrl?: string
): string {
  const compose = (
    kept: string[],
    blocks: string[][],
    note?: string
  ): string => {
    const changes =
      blocks.length > 0 ? ['### Changes', '', ...blocks.flat()] : []
    const noted = note === undefined ? [] : [note, '']
    return [...head, ...noted, ...kept, '', ...changes, ...tail, ''].join('\n')
  }
  const full = compose(rows, details)
  if (byteSize(full) <= budget) return full

  const where = runUrl ? ` See [the run](${runUrl}) for everything.` : ''
  const note = (what: string): string =>
    `> [!NOTE]\n> This report was cut to fit: ${what}.${where}`
  // Room for the note's counts, whatever they end up being.
  const noteRoom = byteSize(note('99999 workflow rows and field changes'))

  let used = byteSize(compose(rows, [])) + noteRoom + 20
  if (used <= budget) {
    const blocks: string[][] = []
    for (const block of details) {
      const size = byteSize(block.join('\n')) + 1
      if (used + size > budget) break
      blocks.push(block)
      used += size
    }
    const left = details.length - blocks.length
    return compose(
      rows,
      blocks,
      note(`field changes of ${plural(left, 'workflow')} left out`)
    )
  }

  const kept: string[] = []
  used = byteSize(compose([], [])) + noteRoom + 1
  for (const row of rows) {
    const size = byteSize(row) + 1
    if (used + size > budget) break
    kept.push(row)
    used += size
  }
  const dropped = rows.length - kept.length
  return compose(
    kept,
    [],
    note(`${plural(dropped, 'workflow row')} and field changes left out`)
  )
}
