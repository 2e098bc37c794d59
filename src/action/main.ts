import * as core from '@actions/core'
import { context } from '@actions/github'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { exportCounts, renderExportSummary } from '../engine/export/summary.js'
import { noCounts, type RunResult } from '../engine/model.js'
import { runEngine, type EngineLogger } from '../engine/run.js'
import { renderSummary } from '../engine/report/summary.js'
import { commentOnPullRequest, pullRequestOf } from './comment.js'
import { readInputs, type ActionInputs } from './inputs.js'

const REPORT_NAME = 'novu-workflows-report.json'

/** The action's entry: inputs in, engine run, outputs and reports out. */
export async function run(): Promise<void> {
  let result: RunResult
  let inputs: ActionInputs
  try {
    inputs = readInputs()
    core.debug(
      `Settings: mode "${inputs.mode}", api-url "${inputs.apiUrl}", ` +
        `workflows ${JSON.stringify(inputs.workflowGlobs)}, ` +
        `workflow-ids ${JSON.stringify(inputs.workflowIds)}, ` +
        `targets ${JSON.stringify(inputs.targetEnvironments)}, ` +
        `concurrency "${inputs.concurrency}"`
    )
    result = await runEngine(inputs, actionLogger)
  } catch (error) {
    // Safe outputs, so that a later step reading them sees real values
    // even though this run stopped before it could count anything. Each
    // output is written once: a second write would leave two values in
    // the output file for tools other than the runner to choose from.
    setCounts(noCounts())
    core.setOutput('has-changes', 'false')
    core.setOutput('report-file', '')
    core.setFailed(error instanceof Error ? error.message : String(error))
    return
  }

  for (const problem of result.problems) {
    // A problem with no file is one of the inputs (a glob, an id).
    if (problem.file === '') {
      core.error(problem.message, { title: 'Invalid input' })
      continue
    }
    core.error(problem.message, {
      title: problem.field ? `Invalid ${problem.field}` : 'Invalid definition',
      file: problem.file,
      startLine: problem.line,
      startColumn: problem.column
    })
  }
  setCounts(result.counts)
  core.setOutput('has-changes', String(result.hasChanges))
  await writeReports(result)
  await comment(result, inputs)

  if (result.fatal !== undefined) {
    core.setFailed(result.fatal)
  } else if (result.counts.failed > 0) {
    core.setFailed(
      `${result.counts.failed} workflow(s) failed; the others finished. ` +
        'See the job summary for each reason.'
    )
  } else if (inputs.failOnChanges && driftFails(result)) {
    core.setFailed(
      `Novu differs from the repository: ${headlineCounts(result)}. ` +
        'The run fails because "fail-on-changes" is true; deploy the ' +
        'definitions, or bring the files in line with Novu, to clear it.'
    )
  } else if (result.mode === 'plan') {
    core.info(
      `Plan: ${headlineCounts(result)}, ${result.counts.unchanged} ` +
        `unchanged. Nothing was written (has-changes: ${result.hasChanges}).`
    )
  } else if (result.mode === 'export') {
    core.info(`Exported: ${exportCounts(result)}.`)
  } else if (result.mode === 'validate') {
    core.info(
      `Validated ${result.workflows.length} definition(s): no problems.`
    )
  } else {
    core.info(
      `Done: ${result.counts.created} created, ${result.counts.updated} ` +
        `updated, ${result.counts.unchanged} unchanged, ` +
        `${result.counts.synced} synced.`
    )
  }
}

/** A drift check fails a plan that would change anything. */
function driftFails(result: RunResult): boolean {
  if (result.mode !== 'plan') {
    core.info(
      `"fail-on-changes" applies to "mode: plan" only; mode ` +
        `"${result.mode}" ignores it.`
    )
    return false
  }
  return result.hasChanges
}

function headlineCounts(result: RunResult): string {
  const count = (outcome: string): number =>
    result.workflows.filter((w) => w.development?.outcome === outcome).length
  const behind = result.targets.map((target) => {
    const lagging = result.workflows.filter((w) =>
      w.promotions.some(
        (p) => p.environment === target && p.outcome === 'would-sync'
      )
    ).length
    return `${lagging} behind in "${target}"`
  })
  return [
    `${count('would-create')} to create`,
    `${count('would-update')} to update`,
    ...(count('would-delete') > 0
      ? [`${count('would-delete')} to delete`]
      : []),
    ...behind
  ].join(', ')
}

/**
 * The pull-request comment. Runs that fell back to validation have a
 * read-only token, so they do not try.
 */
async function comment(result: RunResult, inputs: ActionInputs): Promise<void> {
  const pullRequest = pullRequestOf(context)
  if (pullRequest === undefined) return
  if (inputs.githubToken === '') {
    core.info('No "github-token": the pull request gets no comment.')
    return
  }
  if (inputs.fallback !== undefined) {
    core.info(
      'This run has no secret and a read-only token: the pull request ' +
        'gets no comment; the job summary has the validation.'
    )
    return
  }
  const { GITHUB_WORKFLOW, GITHUB_JOB } = process.env
  await core.group('Commenting on the pull request', () =>
    commentOnPullRequest(
      result,
      {
        token: inputs.githubToken,
        pullRequest,
        ...(GITHUB_JOB && { job: `${GITHUB_WORKFLOW ?? ''}/${GITHUB_JOB}` }),
        ...(runUrl() !== undefined && { runUrl: runUrl() })
      },
      { info: core.info, warning: core.warning }
    )
  )
}

function setCounts(counts: RunResult['counts']): void {
  for (const [name, value] of Object.entries(counts)) {
    core.setOutput(name, String(value))
  }
}

/** Reports are not the deploy: a failure to write one is a warning. */
async function writeReports(result: RunResult): Promise<void> {
  const directory = process.env.RUNNER_TEMP || process.cwd()
  const file = path.join(directory, REPORT_NAME)
  try {
    await mkdir(directory, { recursive: true })
    await writeFile(file, `${JSON.stringify(result, null, 2)}\n`)
    core.setOutput('report-file', file)
    core.info(`Report written to "${file}"`)
  } catch (error) {
    core.setOutput('report-file', '')
    core.warning(`Could not write the report file "${file}": ${String(error)}`)
  }

  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.info('No GITHUB_STEP_SUMMARY: the job summary is not written.')
    return
  }
  try {
    await core.summary
      .addRaw(
        result.mode === 'export'
          ? renderExportSummary(result)
          : renderSummary(result, { runUrl: runUrl() })
      )
      .write()
  } catch (error) {
    core.warning(`Could not write the job summary: ${String(error)}`)
  }
}

function runUrl(): string | undefined {
  const { GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID } = process.env
  if (!GITHUB_SERVER_URL || !GITHUB_REPOSITORY || !GITHUB_RUN_ID) return
  return `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}`
}

const actionLogger: EngineLogger = {
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
  debug: (message) => core.debug(message),
  group: (name, work) => core.group(name, work)
}
