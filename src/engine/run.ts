import type { Mode, RunResult } from './model.js'

/** Everything the engine needs to know, read once from inputs or flags. */
export interface EngineSettings {
  mode: Mode
  /** Base URL without a trailing slash or version segment. */
  apiUrl: string
  /** Development secret key; empty in validate mode. */
  secretKey: string
  /** Globs of definition files, relative to `cwd`. */
  workflowGlobs: string[]
  /** Only these workflow ids; empty means all. */
  workflowIds: string[]
  /** Environment names or ids, in promotion order. */
  targetEnvironments: string[]
  /** Most requests in flight; `auto` sizes it from rate-limit headers. */
  concurrency: number | 'auto'
  cwd: string
}

/** Where the engine reports progress; the action maps it to @actions/core. */
export interface EngineLogger {
  info(message: string): void
  warning(message: string): void
  debug(message: string): void
  /** Runs `work` inside a collapsible log group named `name`. */
  group<T>(name: string, work: () => Promise<T>): Promise<T>
}

export declare function runEngine(
  settings: EngineSettings,
  logger: EngineLogger
): Promise<RunResult>
