import type { RunResult } from '../model.js'
import { byteSize } from './markdown.js'
import { changesOrFails, renderSummary } from './summary.js'

/** Opens every comment the action writes, so a later run finds it again. */
export const COMMENT_MARKER = '<!-- novu-workflows-action -->'

/** GitHub refuses a comment body longer than this many characters. */
export const COMMENT_LIMIT = 65_536

export interface CommentOptions {
  /**
   * Which job wrote the comment. Two jobs of one pull request (a plan per
   * environment, a matrix over folders) each keep a comment of their own.
   */
  job?: string
  /** Link to the run, for comments that had to be cut. */
  runUrl?: string
  /** The commit the report is for, shown so readers know it is current. */
  commit?: string
}

/** The hidden lines that identify the comment of one job. */
export function commentMarkers(job?: string): string {
  if (job === undefined || job === '') return COMMENT_MARKER
  // Nothing in the job's name may close the HTML comment early.
  const safe = job.replace(/--+/g, '-').replace(/[<>\n\r]/g, '')
  return `${COMMENT_MARKER}\n<!-- job: ${safe} -->`
}

/**
 * The pull-request comment for a run: the job summary's counts and the
 * workflows that change, with field changes collapsed, never longer than
 * GitHub accepts. Workflows that already match are counted, not listed.
 */
export function renderComment(
  result: RunResult,
  options: CommentOptions = {}
): string {
  const markers = `${commentMarkers(options.job)}\n`
  const note = options.commit ? `for ${options.commit.slice(0, 7)}` : undefined
  return (
    markers +
    renderSummary(result, {
      rows: 'changed',
      budget: COMMENT_LIMIT - byteSize(markers),
      ...(options.runUrl !== undefined && { runUrl: options.runUrl }),
      ...(note !== undefined && { note })
    })
  )
}

/**
 * Whether a run has something to tell a pull request. A run where nothing
 * changes adds no comment, but does update one that exists, so that an
 * earlier plan's changes do not stay up as if still pending.
 */
export function worthCommenting(result: RunResult): boolean {
  return (
    result.hasChanges ||
    result.fatal !== undefined ||
    result.problems.length > 0 ||
    result.workflows.some(changesOrFails)
  )
}
