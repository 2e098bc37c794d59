/**
 * The main job, end to end, on this machine: starts the local Novu
 * stand-in, runs the bundled action against it twice as a runner would,
 * and prints each job summary. The second run shows that a repository
 * Novu already matches costs reads only.
 */
import { fileURLToPath } from 'node:url'
import { startStandIn } from '../stand-in/server.js'
import { runAction } from './runner.js'

const WORKSPACE = fileURLToPath(new URL('..', import.meta.url))

const novu = await startStandIn()
try {
  const inputs = {
    'secret-key': novu.secretKey('Development'),
    'api-url': novu.url,
    workflows: 'examples/workflows/*.{json,yaml,yml}',
    mode: 'deploy',
    'target-environments': 'Staging\nProduction'
  }
  console.log(`Local Novu stand-in listening on ${novu.url}\n`)

  for (const [index, title] of ['First deploy', 'Second deploy'].entries()) {
    novu.resetRequests()
    const run = await runAction({ inputs, workspace: WORKSPACE })
    const writes = novu.writes().length
    // The report file lives in the run's scratch folder, gone by now.
    const { 'report-file': _reportFile, ...counts } = run.outputs
    console.log(`━━━ ${index + 1}. ${title} ━━━\n`)
    console.log(run.summary.trim())
    console.log(
      `\nexit code ${run.exitCode} · ${novu.requests.length} requests, ` +
        `${writes} of them writes · outputs ${JSON.stringify(counts)}\n`
    )
    if (run.exitCode !== 0) {
      console.error(run.stdout)
      process.exitCode = 1
      break
    }
  }
} finally {
  await novu.close()
}
