import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The bundled action, as a workflow's `uses:` runs it. */
export const ACTION_ENTRY = fileURLToPath(
  new URL('../dist/index.js', import.meta.url)
)

export interface ActionRun {
  exitCode: number
  stdout: string
  stderr: string
  /** Step outputs, parsed from the `GITHUB_OUTPUT` file. */
  outputs: Record<string, string>
  /** What the run wrote to `GITHUB_STEP_SUMMARY`. */
  summary: string
  /** The JSON report, when the run wrote one. */
  report?: unknown
}

export interface ActionRunOptions {
  /** Inputs by their action.yml names; unset ones get no variable. */
  inputs: Record<string, string>
  /** The checkout the action sees as `GITHUB_WORKSPACE`. */
  workspace: string
  /** More environment, such as `RUNNER_DEBUG` or a pull-request event. */
  env?: Record<string, string>
}

/**
 * Runs `dist/index.js` in a child process exactly as a runner does: inputs
 * as `INPUT_*` variables, outputs and summary through the files named by
 * `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY`.
 */
export async function runAction(options: ActionRunOptions): Promise<ActionRun> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'novu-action-'))
  const outputFile = path.join(scratch, 'output')
  const summaryFile = path.join(scratch, 'summary.md')
  await writeFile(outputFile, '')
  await writeFile(summaryFile, '')

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? scratch,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: scratch,
    ...options.env
  }
  for (const [name, value] of Object.entries(options.inputs)) {
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  }

  try {
    const { exitCode, stdout, stderr } = await runScript(ACTION_ENTRY, [], {
      cwd: options.workspace,
      env
    })

    const outputs = parseOutputs(await readFile(outputFile, 'utf8'))
    const summary = await readFile(summaryFile, 'utf8')
    const run: ActionRun = { exitCode, stdout, stderr, outputs, summary }
    if (outputs['report-file']) {
      run.report = JSON.parse(await readFile(outputs['report-file'], 'utf8'))
    }
    return run
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}

/** Reads the `name<<delimiter … delimiter` blocks the toolkit writes. */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let index = 0; index < lines.length; index += 1) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[index] ?? '')
    if (match === null) continue
    const [, name, delimiter] = match as unknown as [string, string, string]
    const value: string[] = []
    for (
      index += 1;
      index < lines.length && lines[index] !== delimiter;
      index += 1
    ) {
      value.push(lines[index] ?? '')
    }
    outputs[name] = value.join('\n')
  }
  return outputs
}

export interface ScriptRun {
  exitCode: number
  stdout: string
  stderr: string
}

/** Runs a script with this Node.js in a child process, output captured. */
export async function runScript(
  script: string,
  args: string[],
  options: { cwd: string; env: Record<string, string> }
): Promise<ScriptRun> {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => resolve(code ?? 1))
  })
  return { exitCode, stdout, stderr }
}
