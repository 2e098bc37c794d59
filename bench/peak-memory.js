// Preloaded into the action's process by the benchmark (NODE_OPTIONS
// --import): on exit it writes the process's peak resident set size, in
// kilobytes, to the file named by BENCH_PEAK_MEMORY_FILE. Measured from
// inside, so it works wherever Node runs, without /usr/bin/time.
import { writeFileSync } from 'node:fs'
import process from 'node:process'

const file = process.env.BENCH_PEAK_MEMORY_FILE
if (file) {
  process.on('exit', () => {
    writeFileSync(file, String(process.resourceUsage().maxRSS))
  })
}
