/**
 * The pull-request comment against recorded GitHub API answers, served
 * from a loopback double of GitHub's REST API; nothing leaves the machine.
 */
import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  test
} from '@jest/globals'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  commentOnPullRequest,
  isJobComment,
  pullRequestOf,
  type CommentSettings
} from '../src/action/comment.js'
import type { RunResult, WorkflowResult } from '../src/engine/model.js'
import {
  COMMENT_LIMIT,
  COMMENT_MARKER,
  renderComment
} from '../src/engine/report/comment.js'

interface Answer {
  status: number
  fixture?: string
  headers?: Record<string, string>
}

interface Recorded {
  method: string
  path: string
  body?: { body?: string }
}

const fixture = (name: string): unknown =>
  JSON.parse(
    readFileSync(
      new URL(`./fixtures/github/${name}.json`, import.meta.url),
      'utf8'
    )
  )

let github: Server
let baseUrl: string
let answer: (method: string, url: URL) => Answer
const recorded: Recorded[] = []

beforeAll(async () => {
  github = createServer((req, res) => {
    let text = ''
    req.on('data', (chunk: Buffer) => (text += chunk.toString()))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', baseUrl)
      recorded.push({
        method: req.method ?? 'GET',
        path: `${url.pathname}${url.search}`,
        ...(text !== '' && { body: JSON.parse(text) })
      })
      const reply = answer(req.method ?? 'GET', url)
      res.writeHead(reply.status, {
        'content-type': 'application/json; charset=utf-8',
        ...reply.headers
      })
      res.end(
        reply.fixture === undefined
          ? undefined
          : JSON.stringify(fixture(reply.fixture))
      )
    })
  })
  await new Promise<void>((resolve) =>
    github.listen(0, '127.0.0.1', () => resolve())
  )
  baseUrl = `http://127.0.0.1:${(github.address() as AddressInfo).port}`
})

afterAll(async () => {
  github.closeAllConnections()
  await new Promise<void>((resolve) => github.close(() => resolve()))
})

beforeEach(() => {
  recorded.length = 0
})

const COMMENTS = '/repos/acme/app/issues/7/comments'

/** GitHub's answers for a pull request whose comments span two pages. */
function twoPages(write: Answer): (method: string, url: URL) => Answer {
  return (method, url) => {
    if (method === 'GET' && url.pathname === COMMENTS) {
      if (url.searchParams.get('page') === '2') {
        return { status: 200, fixture: 'comments-page-2' }
      }
      const next = new URL(url)
      next.searchParams.set('page', '2')
      return {
        status: 200,
        fixture: 'comments-page-1',
        headers: {
          link: `<${next.href}>; rel="next", <${next.href}>; rel="last"`
        }
      }
    }
    return write
  }
}

/** No comments yet; writes get `write`. */
function empty(write: Answer): (method: string, url: URL) => Answer {
  return (method, url) =>
    method === 'GET' && url.pathname === COMMENTS
      ? { status: 200, fixture: 'no-comments' }
      : write
}

function settings(job = 'Novu workflows/plan'): CommentSettings {
  return {
    token: 'test-token',
    baseUrl,
    job,
    runUrl: 'https://github.com/acme/app/actions/runs/42',
    pullRequest: {
      owner: 'acme',
      repo: 'app',
      number: 7,
      commit: '9f2c4e1b7a3d5c6e8f0a1b2c3d4e5f6a7b8c9d0e'
    }
  }
}

function capture(): {
  lines: { info: string[]; warning: string[] }
  log: { info(m: string): void; warning(m: string): void }
} {
  const lines = { info: [] as string[], warning: [] as string[] }
  return {
    lines,
    log: {
      info: (message) => lines.info.push(message),
      warning: (message) => lines.warning.push(message)
    }
  }
}

function planned(workflows: WorkflowResult[]): RunResult {
  const changed = workflows.some((w) => w.development?.outcome !== 'unchanged')
  return {
    mode: 'plan',
    apiUrl: 'http://127.0.0.1:4010',
    targets: ['Production'],
    workflows,
    problems: [],
    counts: {
      created: 0,
      updated: 0,
      unchanged: workflows.filter((w) => w.development?.outcome === 'unchanged')
        .length,
      synced: 0,
      deleted: 0,
      failed: 0
    },
    hasChanges: changed,
    requests: { requests: 4, writes: 0, throttled: 0, retried: 0 },
    startedAt: '2026-01-05T10:00:00.000Z',
    durationMs: 800
  }
}

const toUpdate: WorkflowResult = {
  workflowId: 'order-shipped',
  name: 'Order shipped',
  file: 'novu/workflows/order-shipped.json',
  line: 1,
  development: {
    outcome: 'would-update',
    changes: [{ path: 'severity', before: 'medium', after: 'high' }],
    issues: []
  },
  promotions: [
    {
      environment: 'Production',
      outcome: 'would-sync',
      changes: [{ path: 'severity', before: 'medium', after: 'high' }],
      issues: []
    }
  ]
}

const unchanged: WorkflowResult = {
  workflowId: 'weekly-digest',
  name: 'Weekly digest',
  file: 'novu/workflows/weekly-digest.yaml',
  line: 1,
  development: { outcome: 'unchanged', changes: [], issues: [] },
  promotions: [
    { environment: 'Production', outcome: 'in-sync', changes: [], issues: [] }
  ]
}

const writes = (): Recorded[] =>
  recorded.filter((request) => request.method !== 'GET')

describe('commentOnPullRequest', () => {
  test('creates the comment when none exists', async () => {
    answer = empty({ status: 201, fixture: 'comment-created' })
    const { lines, log } = capture()

    const outcome = await commentOnPullRequest(
      planned([toUpdate, unchanged]),
      settings(),
      log
    )

    expect(outcome).toBe('created')
    expect(writes().map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST ${COMMENTS}`
    ])
    const body = writes()[0]!.body!.body!
    expect(
      body.startsWith(`${COMMENT_MARKER}\n<!-- job: Novu workflows/plan -->\n`)
    ).toBe(true)
    expect(body).toContain('**0 to create** · **1 to update** · 1 unchanged')
    expect(body).toContain('`order-shipped`')
    expect(body).not.toContain('`weekly-digest`')
    expect(body).toContain('1 other workflow already match')
    expect(body).toContain('<details>')
    expect(body).toContain('for 9f2c4e1')
    expect(lines.warning).toEqual([])
  })

  test('pages through the comments and updates this job’s own in place', async () => {
    answer = twoPages({ status: 200, fixture: 'comment-updated' })
    const { lines, log } = capture()

    const outcome = await commentOnPullRequest(
      planned([toUpdate]),
      settings(),
      log
    )

    expect(outcome).toBe('updated')
    expect(recorded.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET ${COMMENTS}?per_page=100`,
      `GET ${COMMENTS}?per_page=100&page=2`,
      'PATCH /repos/acme/app/issues/comments/1003'
    ])
    expect(lines.warning).toEqual([])
  })

  test('another job’s comment is left alone', async () => {
    answer = twoPages({ status: 201, fixture: 'comment-created' })
    const { log } = capture()

    const outcome = await commentOnPullRequest(
      planned([toUpdate]),
      settings('Novu workflows/plan-staging'),
      log
    )

    expect(outcome).toBe('created')
    expect(writes().map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST ${COMMENTS}`
    ])
  })

  test('nothing changes and no comment exists: none is added', async () => {
    answer = empty({ status: 500 })
    const { lines, log } = capture()

    const outcome = await commentOnPullRequest(
      planned([unchanged]),
      settings(),
      log
    )

    expect(outcome).toBe('skipped')
    expect(writes()).toEqual([])
    expect(lines.info.join('\n')).toContain('no comment was added')
  })

  test('nothing changes but a comment exists: it is updated to say so', async () => {
    answer = twoPages({ status: 200, fixture: 'comment-updated' })
    const { log } = capture()

    const outcome = await commentOnPullRequest(
      planned([unchanged]),
      settings(),
      log
    )

    expect(outcome).toBe('updated')
    const body = writes()[0]!.body!.body!
    expect(body).toContain('**0 to create** · **0 to update** · 1 unchanged')
    expect(body).toContain('1 other workflow already match')
  })

  test('a read-only token (403) is a warning naming the permission', async () => {
    answer = empty({ status: 403, fixture: 'forbidden' })
    const { lines, log } = capture()

    const outcome = await commentOnPullRequest(
      planned([toUpdate]),
      settings(),
      log
    )

    expect(outcome).toBe('failed')
    expect(lines.warning).toHaveLength(1)
    expect(lines.warning[0]).toContain('pull request #7')
    expect(lines.warning[0]).toContain('403')
    expect(lines.warning[0]).toContain('Resource not accessible by integration')
    expect(lines.warning[0]).toContain('permissions: pull-requests: write')
    expect(lines.warning[0]).toContain('not affected')
  })

  test('a missing permission (404 on the list) is a warning too', async () => {
    answer = () => ({ status: 404, fixture: 'not-found' })
    const { lines, log } = capture()

    const outcome = await commentOnPullRequest(
      planned([toUpdate]),
      settings(),
      log
    )

    expect(outcome).toBe('failed')
    expect(writes()).toEqual([])
    expect(lines.warning[0]).toContain('404')
    expect(lines.warning[0]).toContain('pull-requests: write')
  })
})

describe('renderComment', () => {
  test('a 500-workflow plan stays within GitHub’s comment limit, cut with a link', () => {
    const many: WorkflowResult[] = Array.from({ length: 500 }, (_, i) => ({
      ...toUpdate,
      workflowId: `workflow-${i}`,
      name: `Workflow ${i} | <b>bold</b> \`tick\` @team`,
      development: {
        outcome: 'would-update',
        issues: [],
        changes: Array.from({ length: 6 }, (_, field) => ({
          path: `steps.step-${field}.controlValues.body`,
          before: `Old text ${field} with a | pipe and <b>tags</b> @someone`,
          after: `New text ${field} with \`code\` and #12 reference`
        }))
      }
    }))
    const body = renderComment(planned(many), {
      job: 'Novu workflows/plan',
      runUrl: 'https://github.com/acme/app/actions/runs/42'
    })

    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT)
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(COMMENT_LIMIT)
    expect(body.startsWith(COMMENT_MARKER)).toBe(true)
    expect(body).toContain('**0 to create** · **500 to update**')
    expect(body).toContain('This report was cut to fit')
    expect(body).toContain('https://github.com/acme/app/actions/runs/42')
    expect(body).toContain('`workflow-0`')
    expect(body).not.toMatch(/@someone|@team|<b>/)
  })
})

describe('markers and events', () => {
  test.each([
    [`${COMMENT_MARKER}\n<!-- job: w/plan -->\nbody`, 'w/plan', true],
    [`${COMMENT_MARKER}\n<!-- job: w/plan -->\nbody`, 'w/other', false],
    [`${COMMENT_MARKER}\n<!-- job: w/plan -->\nbody`, undefined, false],
    [`${COMMENT_MARKER}\nbody`, undefined, true],
    [`quoting ${COMMENT_MARKER}\nbody`, undefined, false]
  ])('%j for job %j: %j', (body, job, expected) => {
    expect(isJobComment(body, job)).toBe(expected)
  })

  test('a job name cannot close the hidden marker', () => {
    const body = renderComment(planned([toUpdate]), { job: 'x --> @all' })
    expect(body.split('\n')[1]).toBe('<!-- job: x - @all -->')
  })

  test('the pull request comes from the event; other events have none', () => {
    const payload = fixture('pull-request-event') as {
      pull_request: { number: number }
    }
    const repo = { owner: 'acme', repo: 'app' }
    expect(pullRequestOf({ eventName: 'pull_request', repo, payload })).toEqual(
      {
        owner: 'acme',
        repo: 'app',
        number: 7,
        commit: '9f2c4e1b7a3d5c6e8f0a1b2c3d4e5f6a7b8c9d0e'
      }
    )
    expect(
      pullRequestOf({ eventName: 'pull_request_target', repo, payload })
    ).toMatchObject({ number: 7 })
    expect(pullRequestOf({ eventName: 'push', repo, payload })).toBeUndefined()
  })
})
