import { expect } from '@jest/globals'
import type { ActionRun } from '../../scripts/runner.js'

/**
 * Fails when the secret shows in anything a run leaves behind: its log,
 * summary and report. The mask command is left out of the log: it is how
 * the runner learns the value to hide, and the runner never shows it.
 */
export function expectSecretNowhere(run: ActionRun, secret: string): void {
  const log = run.stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n')
  for (const text of [
    log,
    run.stderr,
    run.summary,
    JSON.stringify(run.report)
  ]) {
    expect(text).not.toContain(secret)
  }
}
