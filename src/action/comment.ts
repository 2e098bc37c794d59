import { getOctokit } from '@actions/github'
import type { RunResult } from '../engine/model.js'
import {
  COMMENT_MARKER,
  commentMarkers,
  renderComment,
  worthCommenting
} from '../engine/report/comment.js'

/** Events whose runs belong to a pull request that can take a comment. */
const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target'])

/** A comment is a courtesy; it must not hold a finished run for long. */
const REQUEST_TIMEOUT_MS = 20_000

export interface PullRequest {
  owner: string
  repo: string
  number: number
  /** Head commit, shown in the comment. */
  commit?: string
}

export interface CommentSettings {
  token: string
  pullRequest: PullRequest
  /** Tells this job's comment from other jobs' on the same pull request. */
  job?: string
  runUrl?: string
  /** GitHub's API; the runner's `GITHUB_API_URL` when unset. */
  baseUrl?: string
}

export interface CommentLogger {
  info(message: string): void
  warning(message: string): void
}

export type CommentOutcome = 'created' | 'updated' | 'skipped' | 'failed'

/** The event facts `@actions/github`'s context gives. */
export interface EventContext {
  eventName: string
  repo: { owner: string; repo: string }
  payload: { pull_request?: { [key: string]: unknown; number: number } }
}

/** The pull request a run belongs to; `undefined` for other events. */
export function pullRequestOf(context: EventContext): PullRequest | undefined {
  const pull = context.payload.pull_request
  if (!PULL_REQUEST_EVENTS.has(context.eventName) || pull === undefined) {
    return undefined
  }
  const head = pull.head as { sha?: unknown } | undefined
  return {
    ...context.repo,
    number: pull.number,
    ...(typeof head?.sha === 'string' && { commit: head.sha })
  }
}

/**
 * Keeps one comment per job on the pull request current: updates the one
 * an earlier run left, or adds one when there is something to say. Every
 * failure is a warning, because the run's work is done by now.
 */
export async function commentOnPullRequest(
  result: RunResult,
  settings: CommentSettings,
  logger: CommentLogger
): Promise<CommentOutcome> {
  const { owner, repo, number } = settings.pullRequest
  const octokit = getOctokit(
    settings.token,
    settings.baseUrl === undefined ? {} : { baseUrl: settings.baseUrl }
  )
  const request = (): { signal: AbortSignal } => ({
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)
  })

  try {
    const existing = await findComment(octokit, settings, request)
    const body = renderComment(result, {
      ...(settings.job !== undefined && { job: settings.job }),
      ...(settings.runUrl !== undefined && { runUrl: settings.runUrl }),
      ...(settings.pullRequest.commit !== undefined && {
        commit: settings.pullRequest.commit
      })
    })

    if (existing !== undefined) {
      await octokit.rest.issues.updateComment({
        owner,
        repo,
        comment_id: existing,
        body,
        request: request()
      })
      logger.info(`Updated the comment on pull request #${number}`)
      return 'updated'
    }
    if (!worthCommenting(result)) {
      logger.info(
        `Nothing changes, so no comment was added to pull request #${number}.`
      )
      return 'skipped'
    }
    await octokit.rest.issues.createComment({
      owner,
      repo,
      issue_number: number,
      body,
      request: request()
    })
    logger.info(`Commented on pull request #${number}`)
    return 'created'
  } catch (error) {
    logger.warning(explain(error, number))
    return 'failed'
  }
}

type Octokit = ReturnType<typeof getOctokit>

/** The id of this job's comment, paging through every comment. */
async function findComment(
  octokit: Octokit,
  settings: CommentSettings,
  request: () => { signal: AbortSignal }
): Promise<number | undefined> {
  const { owner, repo, number } = settings.pullRequest
  const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, {
    owner,
    repo,
    issue_number: number,
    per_page: 100,
    request: request()
  })
  for await (const page of pages) {
    const found = page.data.find((comment) =>
      isJobComment(comment.body ?? '', settings.job)
    )
    if (found !== undefined) return found.id
  }
  return undefined
}

/** Whether a comment body is the one this job writes. */
export function isJobComment(body: string, job?: string): boolean {
  const markers = commentMarkers(job)
  if (!body.startsWith(`${markers}\n`)) return false
  // Without a job name, a comment of a named job is someone else's.
  const rest = body.slice(markers.length + 1)
  return markers !== COMMENT_MARKER || !rest.startsWith('<!-- job: ')
}

/** A failure to comment in the shape of every error: what, why, what to do. */
function explain(error: unknown, number: number): string {
  const status = (error as { status?: unknown }).status
  const message = error instanceof Error ? error.message : String(error)
  const what = `Could not comment on pull request #${number}`
  const unaffected = 'The run itself is not affected.'
  if (status === 403 || status === 404) {
    return (
      `${what}: GitHub answered ${status} (${message}). The token may not ` +
      'write to pull requests: give the job "permissions: pull-requests: ' +
      'write". Pull requests from forks always get a read-only token. ' +
      unaffected
    )
  }
  if (status === 401) {
    return (
      `${what}: GitHub answered 401 (${message}). Check the ` +
      `"github-token" input; its default is the job's own token. ${unaffected}`
    )
  }
  return `${what}: ${message}. ${unaffected}`
}
