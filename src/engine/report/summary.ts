import type {
  DevelopmentOutcome,
  PromotionOutcome,
  PromotionResult,
  RunResult,
  WorkflowResult
} from '../model.js'
import { escapeMarkdown, plural, showValue } from './markdown.js'

export interface SummaryOptions {
  /** Link to the run, for reports that had to be cut. */
  runUrl?: string
  /** Most characters the report may take; GitHub's limits are in bytes. */
  budget?: number
}

/** A job summary may hold 1 MiB; leave room for other steps' summaries. */
export const SUMMARY_BUDGET = 512 * 1024

const MODE_TITLES: Record<RunResult['mode'], string> = {
  validate: 'Validation',
  plan: 'Plan',
  upsert: 'Upsert into Development',
  sync: 'Promotion',
  deploy: 'Deploy'
}

const DEVELOPMENT_LABELS: Record<DevelopmentOutcome, string> = {
  created: '🆕 created',
  updated: '✏️ updated',
  unchanged: '✅ unchanged',
  failed: '❌ failed',
  skipped: '⏭️ skipped',
  'would-create': '🆕 to create',
  'would-update': '✏️ to update'
}

const PROMOTION_LABELS: Record<PromotionOutcome, string> = {
  synced: '🚀 synced',
  'in-sync': '✅ in sync',
  failed: '❌ failed',
  skipped: '⏭️ skipped',
  'would-sync': '🚀 to sync'
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
  if (result.fatal !== undefined) {
    head.push(`> [!CAUTION]`, `> ${escapeMarkdown(result.fatal)}`, '')
  }
  if (result.problems.length > 0) head.push(...problemList(result), '')

  const rows = result.workflows.length > 0 ? table(result) : []
  const details = result.workflows.flatMap(detailsOf)
  const tail = [footer(result)]

  return fitBudget(head, rows, details, tail, budget, options.runUrl)
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
    const parts = [
      `**${create} to create**`,
      `**${update} to update**`,
      `${counts.unchanged} unchanged`
    ]
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
  return [
    `**${counts.created} created**`,
    `**${counts.updated} updated**`,
    `${counts.unchanged} unchanged`,
    `**${counts.synced} synced**`,
    counts.failed > 0 ? `**${counts.failed} failed**` : '0 failed'
  ].join(' · ')
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
    const place = `${problem.file}:${problem.line}`
    const field = problem.field
      ? ` \`${problem.field.replace(/`/g, "'")}\``
      : ''
    lines.push(
      `- \`${place.replace(/`/g, "'")}\`${field}: ${escapeMarkdown(problem.message)}`
    )
  }
  return lines
}

function table(result: RunResult): string[] {
  const showDevelopment = result.workflows.some((w) => w.development)
  const columns = ['Workflow']
  if (showDevelopment) columns.push('Development')
  columns.push(...result.targets.map(escapeMarkdown))
  const lines = [
    `| ${columns.join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`
  ]
  for (const workflow of result.workflows) {
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
  const id = `\`${workflow.workflowId.replace(/`/g, "'")}\``
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
  const sections: Array<[string, PromotionResult['changes']]> = []
  const issues = workflow.development?.issues ?? []
  if (workflow.development && workflow.development.changes.length > 0) {
    sections.push(['Development', workflow.development.changes])
  }
  for (const promotion of workflow.promotions) {
    if (promotion.changes.length > 0) {
      sections.push([promotion.environment, promotion.changes])
    }
  }
  if (sections.length === 0 && issues.length === 0) return []

  const lines = [
    `<details><summary><code>${escapeMarkdown(workflow.workflowId)}</code>` +
      `${workflow.file ? ` (${escapeMarkdown(workflow.file)})` : ''}` +
      '</summary>',
    ''
  ]
  for (const [environment, changes] of sections) {
    lines.push(`**${escapeMarkdown(environment)}**`, '')
    for (const change of changes) {
      lines.push(
        `- \`${change.path.replace(/`/g, "'")}\`: ` +
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
        `- ${where ? `\`${where.replace(/`/g, "'")}\`: ` : ''}` +
          escapeMarkdown(issue.message)
      )
    }
    lines.push('')
  }
  lines.push('</details>', '')
  return lines
}

function footer(result: RunResult): string {
  const seconds = (result.durationMs / 1000).toFixed(1)
  const requests = result.requests
    ? ` · ${plural(result.requests.requests, 'request')} to Novu`
    : ''
  return `<sub>${seconds} s${requests}</sub>`
}

/**
 * Joins the parts, dropping details and then table rows from the end
 * when the whole would pass the budget, with a note that says so.
 */
function fitBudget(
  head: string[],
  rows: string[],
  details: string[],
  tail: string[],
  budget: number,
  runUrl?: string
): string {
  const join = (parts: string[]): string => parts.join('\n')
  const detailBlock = details.length > 0 ? ['### Changes', '', ...details] : []
  const full = join([...head, ...rows, '', ...detailBlock, ...tail, ''])
  if (full.length <= budget) return full

  const where = runUrl ? ` See [the run](${runUrl}) for everything.` : ''
  const note = (what: string): string =>
    `> [!NOTE]\n> This report was cut to fit: ${what}.${where}\n`
  const withoutDetails = join([
    ...head,
    ...rows,
    '',
    note('field changes left out'),
    ...tail,
    ''
  ])
  if (withoutDetails.length <= budget) return withoutDetails

  const kept: string[] = []
  let size = join([...head, '', ...tail]).length + 200
  for (const row of rows) {
    if (size + row.length + 1 > budget) break
    kept.push(row)
    size += row.length + 1
  }
  const dropped = rows.length - kept.length
  return join([
    ...head,
    ...kept,
    '',
    note(`${plural(dropped, 'workflow row')} and field changes left out`),
    ...tail,
    ''
  ])
}
