// Starts the local Novu stand-in for demos and manual runs:
//   node --import tsx stand-in/cli.ts [--port 4010] [--latency 150] [--rate 80]
//     [--limit 20]
import { parseArgs } from 'node:util'

import { startStandIn } from './server.js'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4010' },
    latency: { type: 'string', default: '0' },
    rate: { type: 'string', default: '0' },
    limit: { type: 'string' }
  }
})

function number(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 0) {
    console.error(`--${name} must be a whole number, got "${raw}".`)
    process.exit(2)
  }
  return value
}

const workflowLimit = number('limit', values.limit)
const standIn = await startStandIn({
  port: number('port', values.port) ?? 4010,
  latencyMs: number('latency', values.latency) ?? 0,
  rateLimitPerSecond: number('rate', values.rate) ?? 0,
  ...(workflowLimit !== undefined && { workflowLimit })
})

console.log(`Novu stand-in listening on ${standIn.url}`)
for (const name of ['Development', 'Staging', 'Production']) {
  console.log(
    `  ${name.padEnd(12)} id ${standIn.environmentId(name)}` +
      `  secret key ${standIn.secretKey(name)}`
  )
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void standIn.close().finally(() => process.exit(0))
  })
}
