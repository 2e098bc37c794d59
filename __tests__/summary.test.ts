import { describe, expect, test } from '@jest/globals'
import { readFile, writeFile } from 'node:fs/promises'
import type { RunResult, WorkflowResult } from '../src/engine/model.js'
import { escapeMarkdown } from '../src/engine/report/markdown.js'
import { renderSummary } from '../src/engine/report/summary.js'

// Set UPDATE_EXPECTED=1 to rewrite the expected files after a deliberate
// change to the report, then read the diff before committing it.
async function expectMatchesFile(name: string, text: string): Promise<void> {
  const file = new URL(`./expected/${name}`, import.meta.url)
  if (process.env.UPDATE_EXPECTED === '1') await writeFile(file, text)
  expect(text).toBe(await readFile(file, 'utf8'))
}

function result(overrides: Partial<RunResult>): RunResult {
  return {
    mode: 'deploy',
    apiUrl: 'http://127.0.0.1:4010',
    targets: ['Staging', 'Production'],
    workflows: [],
    problems: [],
    counts: {
      created: 0,
      updated: 0,
      unchanged: 0,
      synced: 0,
      deleted: 0,
      failed: 0
    },
    hasChanges: false,
    requests: { requests: 12, writes: 5, throttled: 0, retried: 0 },
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1234,
    ...overrides
  }
}

const deployed: WorkflowResult[] = [
  {
    workflowId: 'order-shipped',
    name: 'Order shipped',
    file: 'novu/workflows/order-shipped.yaml',
    line: 1,
    development: { outcome: 'created', changes: [], issues: [] },
    promotions: [
      { environment: 'Staging', outcome: 'synced', changes: [], issues: [] },
      { environment: 'Production', outcome: 'synced', changes: [], issues: [] }
    ]
  },
  {
    workflowId: 'password-reset',
    name: 'Reset | <b>your</b> `password` @admins',
    file: 'novu/workflows/password-reset.json',
    line: 2,
    development: {
      outcome: 'updated',
      changes: [
        {
          path: 'steps.mail.controlValues.subject',
          before: 'Reset',
          after: 'Reset your password'
        }
      ],
      issues: [{ stepId: 'mail', field: 'body', message: 'Body is required' }]
    },
    promotions: [
      { environment: 'Staging', outcome: 'synced', changes: [], issues: [] },
      {
        environment: 'Production',
        outcome: 'failed',
        changes: [],
        reason: 'HTTP 502 from a proxy (HTML body)',
        issues: []
      }
    ]
  },
  {
    workflowId: 'weekly-digest',
    name: 'Weekly digest',
    file: 'novu/workflows/weekly-digest.yml',
    line: 1,
    development: { outcome: 'unchanged', changes: [], issues: [] },
    promotions: [
      { environment: 'Staging', outcome: 'in-sync', changes: [], issues: [] },
      { environment: 'Production', outcome: 'in-sync', changes: [], issues: [] }
    ]
  }
]

describe('renderSummary', () => {
  test('a deploy: counts first, a row per workflow, changes collapsed', async () => {
    const markdown = renderSummary(
      result({
        workflows: deployed,
        counts: {
          created: 1,
          updated: 1,
          unchanged: 1,
          synced: 3,
          deleted: 0,
          failed: 1
        },
        hasChanges: true
      })
    )
    await expectMatchesFile('deploy-summary.md', markdown)
  })

  test('definition problems stop the run and are listed by file and line', async () => {
    const markdown = renderSummary(
      result({
        mode: 'validate',
        targets: [],
        requests: undefined,
        problems: [
          {
            file: 'novu/workflows/a.json',
            line: 14,
            field: 'preferences.workflow.channels.inApp',
            workflowId: 'a',
            message: 'Unknown channel "inApp"; use "in_app".'
          }
        ],
        fatal:
          '1 problem(s) in the definition files or the inputs that choose ' +
          'them; nothing was sent to Novu.'
      })
    )
    await expectMatchesFile('validate-problems.md', markdown)
  })

  test('a report over its budget drops details, then rows, and says so', () => {
    const many: WorkflowResult[] = Array.from({ length: 500 }, (_, i) => ({
      ...deployed[1]!,
      workflowId: `workflow-${i}`
    }))
    const markdown = renderSummary(result({ workflows: many }), {
      budget: 20_000,
      runUrl: 'https://github.com/o/r/actions/runs/1'
    })
    expect(markdown.length).toBeLessThanOrEqual(20_000)
    expect(markdown).toMatch(/workflow rows? and field changes left out/)
    expect(markdown).toContain('https://github.com/o/r/actions/runs/1')
    expect(markdown).toContain('`workflow-0`')
  })
})

const planned: WorkflowResult[] = [
  {
    workflowId: 'order-shipped',
    name: 'Order shipped',
    file: 'novu/workflows/order-shipped.json',
    line: 1,
    development: { outcome: 'would-create', changes: [], issues: [] },
    promotions: [
      {
        environment: 'Staging',
        outcome: 'would-sync',
        changes: [],
        issues: []
      },
      {
        environment: 'Production',
        outcome: 'would-sync',
        changes: [],
        issues: []
      }
    ]
  },
  {
    workflowId: 'password-reset',
    name: 'Reset | <b>your</b> `password` @admins',
    file: 'novu/workflows/password-reset.json',
    line: 2,
    development: {
      outcome: 'would-update',
      changes: [
        {
          path: 'steps.mail.controlValues.subject',
          before: 'Reset | <b>now</b>',
          after: 'Reset `now`, @support #12'
        },
        { path: 'tags', before: ['auth'], after: ['auth', 'security'] }
      ],
      issues: []
    },
    promotions: [
      {
        environment: 'Staging',
        outcome: 'would-sync',
        changes: [
          {
            path: 'steps.mail.controlValues.subject',
            before: 'Reset | <b>now</b>',
            after: 'Reset `now`, @support #12'
          },
          { path: 'tags', before: ['auth'], after: ['auth', 'security'] }
        ],
        issues: []
      },
      { environment: 'Production', outcome: 'in-sync', changes: [], issues: [] }
    ]
  },
  {
    workflowId: 'weekly-digest',
    name: 'Weekly digest',
    file: 'novu/workflows/weekly-digest.yml',
    line: 1,
    development: { outcome: 'unchanged', changes: [], issues: [] },
    promotions: [
      { environment: 'Staging', outcome: 'in-sync', changes: [], issues: [] },
      {
        environment: 'Production',
        outcome: 'would-sync',
        changes: [{ path: 'name', before: 'Digest', after: 'Weekly digest' }],
        issues: []
      }
    ]
  }
]

describe('a plan', () => {
  test('counts first, then rows, then each change collapsed', async () => {
    const markdown = renderSummary(
      result({
        mode: 'plan',
        workflows: planned,
        counts: {
          created: 0,
          updated: 0,
          unchanged: 1,
          synced: 0,
          deleted: 0,
          failed: 0
        },
        hasChanges: true
      })
    )
    await expectMatchesFile('plan-summary.md', markdown)

    const [title, , counts, , written] = markdown.split('\n')
    expect(title).toBe('## Novu workflows: Plan')
    expect(counts).toBe(
      '**1 to create** · **1 to update** · 1 unchanged · ' +
        'Staging: 2 behind · Production: 2 behind'
    )
    expect(written).toMatch(/^Nothing was written/)
  })

  test('user text is escaped in names and in change values', () => {
    const markdown = renderSummary(result({ mode: 'plan', workflows: planned }))
    expect(markdown).not.toMatch(/<b>|@admins|@support|#12/)
    expect(markdown).toContain('Reset \\| &lt;b&gt;your&lt;/b&gt;')
    expect(markdown).toContain(
      '"Reset \\| &lt;b&gt;now&lt;/b&gt;" → "Reset \\`now\\`, @\u200bsupport #\u200b12"'
    )
    // Identical changes of several environments are listed once.
    expect(markdown).toContain('**Development, Staging**')
  })

  test('500 workflows with several changes each fit GitHub’s limits', () => {
    const many: WorkflowResult[] = Array.from({ length: 500 }, (_, i) => ({
      workflowId: `workflow-${i}`,
      name: `Workflow ${i} | with \`ticks\` <i>and</i> @team`,
      file: `novu/workflows/workflow-${i}.yaml`,
      line: 1,
      development: {
        outcome: 'would-update',
        issues: [],
        changes: Array.from({ length: 5 }, (_, field) => ({
          path: `steps.step-${field}.controlValues.body`,
          before: `Before ${field}: ${'x'.repeat(70)} 📦`,
          after: `After ${field}: ${'y'.repeat(70)} 🚚`
        }))
      },
      promotions: ['Staging', 'Production'].map((environment, n) => ({
        environment,
        outcome: 'would-sync' as const,
        issues: [],
        changes: [{ path: 'name', before: `Old ${n}`, after: `New ${i}` }]
      }))
    }))
    const run = result({ mode: 'plan', workflows: many, hasChanges: true })
    const runUrl = 'https://github.com/o/r/actions/runs/1'

    const summary = renderSummary(run, { runUrl })
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(1024 * 1024)
    expect(summary).toContain('**500 to update**')

    const comment = renderSummary(run, {
      runUrl,
      rows: 'changed',
      budget: 65_536
    })
    expect(comment.length).toBeLessThanOrEqual(65_536)
    expect(Buffer.byteLength(comment)).toBeLessThanOrEqual(65_536)
    expect(comment).toContain('**500 to update**')
    expect(comment).toMatch(/This report was cut to fit: .*left out/)
    expect(comment).toContain(runUrl)
  })
})

describe('escapeMarkdown', () => {
  test.each([
    ['a | b', 'a \\| b'],
    ['<img src=x>', '&lt;img src=x&gt;'],
    ['`code`', '\\`code\\`'],
    ['ping @octocat', 'ping @\u200boctocat'],
    ['two\nlines', 'two lines'],
    ['see #12', 'see #\u200b12']
  ])('%j', (input, expected) => {
    expect(escapeMarkdown(input)).toBe(expected)
  })
})
