// Measures the bundled action against the local Novu stand-in, side by
// side with the sequential recipe, and prints a Markdown table:
//   npm run bench -- [--sizes 50,200,1000] [--latency 150] [--rate 80]
//     [--targets Staging] [--sequential-max 200] [--concurrency auto]
//     [--validate 1000]
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

import { runAction } from '../scripts/runner.js'
import { startStandIn, type StandIn } from '../stand-in/server.js'
import { minimumRequests, sequentialRequests } from './minimum.js'
import { runSequential } from './sequential.js'
import { WORKFLOW_GLOB, writeWorkflows } from './workflows.js'

type Scenario = 'first deploy' | 'nothing changed'

interface Measure {
  wallMs: number
  requests: number
  throttled: number
  peakKb?: number
}

interface Row {
  scenario: Scenario | 'validate (offline)'
  workflows: number
  action: Measure
  floorMs?: number
  sequential?: Measure & { estimated: boolean }
}

const PEAK_MEMORY_HOOK = pathToFileURL(
  fileURLToPath(new URL('./peak-memory.js', import.meta.url))
).href

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '50,200,1000' },
    latency: { type: 'string', default: '150' },
    rate: { type: 'string', default: '80' },
    targets: { type: 'string', default: 'Staging' },
    'sequential-max': { type: 'string', default: '200' },
    concurrency: { type: 'string', default: 'auto' },
    validate: { type: 'string', default: '1000' }
  }
})

function whole(name: string, raw: string): number {
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 0) {
    console.error(`--${name} must be a whole number, got "${raw}".`)
    process.exit(2)
  }
  return value
}

const sizes = values.sizes.split(',').map((size) => whole('sizes', size))
const latencyMs = whole('latency', values.latency)
const rate = whole('rate', values.rate)
const targets = values.targets
  .split(',')
  .map((name) => name.trim())
  .filter((name) => name !== '')
const sequentialMax = whole('sequential-max', values['sequential-max'])
const validateSize = whole('validate', values.validate)

/** A fresh Novu with the benchmark's latency and rate limit. */
function novu(): Promise<StandIn> {
  return startStandIn({ latencyMs, rateLimitPerSecond: rate })
}

function throttled(standIn: StandIn): number {
  return standIn.requests.filter((request) => request.status === 429).length
}

/** Runs the bundled action once and measures it from outside. */
async function measureAction(
  standIn: StandIn | undefined,
  workspace: string,
  inputs: Record<string, string>,
  expected: Record<string, string>
): Promise<Measure> {
  const memoryFile = path.join(workspace, 'peak-memory')
  standIn?.resetRequests()
  const started = performance.now()
  const run = await runAction({
    workspace,
    inputs: {
      workflows: WORKFLOW_GLOB,
      concurrency: values.concurrency,
      ...inputs
    },
    env: {
      NODE_OPTIONS: `--import=${PEAK_MEMORY_HOOK}`,
      BENCH_PEAK_MEMORY_FILE: memoryFile
    }
  })
  const wallMs = performance.now() - started

  const wrong = Object.entries(expected).filter(
    ([name, value]) => run.outputs[name] !== value
  )
  if (run.exitCode !== 0 || wrong.length > 0) {
    console.error(run.stdout.slice(-4000), run.stderr.slice(-4000))
    throw new Error(
      `The action did not do what the benchmark expects (exit code ` +
        `${run.exitCode}; outputs ${JSON.stringify(run.outputs)}).`
    )
  }
  const peakKb = Number(await readFile(memoryFile, 'utf8'))
  return {
    wallMs,
    requests: standIn?.requests.length ?? 0,
    throttled: standIn === undefined ? 0 : throttled(standIn),
    peakKb: Number.isFinite(peakKb) ? peakKb : undefined
  }
}

async function measureSequential(
  scenario: Scenario,
  workflows: number,
  standIn: StandIn
): Promise<Measure & { estimated: boolean }> {
  const requests = sequentialRequests(scenario, workflows, targets.length)
  if (workflows > sequentialMax) {
    return {
      wallMs: requests * latencyMs,
      requests,
      throttled: 0,
      estimated: true
    }
  }
  standIn.resetRequests()
  const started = performance.now()
  await runSequential({
    apiUrl: standIn.url,
    secretKey: standIn.secretKey('Development'),
    targetIds: targets.map((name) => standIn.environmentId(name)),
    workflows
  })
  return {
    wallMs: performance.now() - started,
    requests: standIn.requests.length,
    throttled: throttled(standIn),
    estimated: false
  }
}

async function measureSize(workflows: number): Promise<Row[]> {
  const workspace = await mkdtemp(path.join(tmpdir(), 'novu-bench-'))
  const action = await novu()
  const sequential = await novu()
  try {
    await writeWorkflows(workspace, workflows)
    const inputs = {
      'secret-key': action.secretKey('Development'),
      'api-url': action.url,
      'target-environments': targets.join('\n')
    }
    const rows: Row[] = []
    const scenarios: [Scenario, Record<string, string>][] = [
      ['first deploy', { created: String(workflows) }],
      ['nothing changed', { unchanged: String(workflows), synced: '0' }]
    ]
    for (const [scenario, expected] of scenarios) {
      const measured = await measureAction(action, workspace, inputs, expected)
      const least = minimumRequests(scenario, workflows, targets.length)
      rows.push({
        scenario,
        workflows,
        action: measured,
        floorMs: rate > 0 ? (least / rate) * 1000 : undefined,
        sequential: await measureSequential(scenario, workflows, sequential)
      })
      report(rows.at(-1) as Row)
    }
    return rows
  } finally {
    await Promise.all([action.close(), sequential.close()])
    await rm(workspace, { recursive: true, force: true })
  }
}

async function measureValidation(workflows: number): Promise<Row> {
  const workspace = await mkdtemp(path.join(tmpdir(), 'novu-bench-'))
  try {
    await writeWorkflows(workspace, workflows)
    const measured = await measureAction(
      undefined,
      workspace,
      { mode: 'validate' },
      {}
    )
    const row: Row = {
      scenario: 'validate (offline)',
      workflows,
      action: measured
    }
    report(row)
    return row
  } finally {
    await rm(workspace, { recursive: true, force: true })
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`
}

function cells(row: Row): string[] {
  const { action, sequential, floorMs } = row
  const label = sequential?.estimated === true ? ' (est.)' : ''
  return [
    row.scenario,
    String(row.workflows),
    seconds(action.wallMs),
    String(action.requests),
    String(action.throttled),
    sequential === undefined ? '–' : `${seconds(sequential.wallMs)}${label}`,
    sequential === undefined ? '–' : String(sequential.requests),
    sequential === undefined
      ? '–'
      : `${(sequential.wallMs / action.wallMs).toFixed(1)}× faster${label}`,
    floorMs === undefined ? '–' : `${(action.wallMs / floorMs).toFixed(2)}×`,
    action.peakKb === undefined ? '–' : `${Math.round(action.peakKb / 1024)} MB`
  ]
}

const HEADER = [
  'scenario',
  'N',
  'action wall',
  'requests',
  '429s',
  'sequential wall',
  'seq. requests',
  'vs sequential',
  'vs rate floor',
  'peak memory'
]

function report(row: Row): void {
  console.error(`  measured: ${cells(row).join(' | ')}`)
}

function table(rows: Row[]): string {
  const line = (values: string[]): string => `| ${values.join(' | ')} |`
  return [
    line(HEADER),
    line(HEADER.map(() => '---')),
    ...rows.map((row) => line(cells(row)))
  ].join('\n')
}

console.error(
  `Benchmark: ${latencyMs} ms per request, ${rate || 'no'} requests a ` +
    `second, targets ${targets.join(', ') || '(none)'}, concurrency ` +
    `${values.concurrency}; sequential loop measured up to ` +
    `${sequentialMax} workflows, estimated above as requests × latency.`
)
const rows: Row[] = []
for (const size of sizes) rows.push(...(await measureSize(size)))
if (validateSize > 0) rows.push(await measureValidation(validateSize))

console.log(
  `\nNode ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}; ` +
    `stand-in latency ${latencyMs} ms, rate limit ${rate || 'none'}/s, ` +
    `targets: ${targets.join(', ') || 'none'}.\n`
)
console.log(table(rows))
