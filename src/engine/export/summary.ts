import type { ExportOutcome, RunResult } from '../model.js'
import { codeSpan, escapeMarkdown } from '../report/markdown.js'

const LABELS: Record<ExportOutcome, string> = {
  written: '🆕 written',
  rewritten: '✏️ rewritten',
  unchanged: '✅ unchanged',
  skipped: '⏭️ skipped',
  failed: '❌ failed'
}

/** Counts of an export by outcome, in a stable order, for headlines. */
export function exportCounts(result: RunResult): string {
  const workflows = result.export?.workflows ?? []
  return (Object.keys(LABELS) as ExportOutcome[])
    .map((outcome) => {
      const count = workflows.filter((w) => w.outcome === outcome).length
      return `${count} ${outcome}`
    })
    .join(' · ')
}

/** The job summary of an export: counts, then a row per workflow. */
export function renderExportSummary(result: RunResult): string {
  const lines = ['## Novu workflows: Export from Development', '']
  lines.push(`**${exportCounts(result)}**`, '')
  if (result.fatal !== undefined) {
    lines.push('> [!CAUTION]', `> ${escapeMarkdown(result.fatal)}`, '')
  }
  const exported = result.export
  if (exported === undefined) return `${lines.join('\n')}\n`

  lines.push(
    `Folder: ${codeSpan(exported.directory)} ` + `(${exported.format})`,
    '',
    '| Workflow | File | Outcome |',
    '| --- | --- | --- |'
  )
  for (const workflow of exported.workflows) {
    const why = [workflow.reason, ...workflow.notes]
      .filter((text): text is string => text !== undefined)
      .map(escapeMarkdown)
      .join('; ')
    const file = workflow.file ? codeSpan(workflow.file) : ''
    lines.push(
      `| ${codeSpan(workflow.workflowId)} | ${file} | ` +
        `${LABELS[workflow.outcome]}${why ? `: ${why}` : ''} |`
    )
  }
  return `${lines.join('\n')}\n`
}
