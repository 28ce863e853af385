// Runs the whole vitest suite, then prints one plain summary line ("N passed, N failed") that CI
// reads, and exits with vitest's code.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, existsSync } from 'node:fs'

mkdirSync('coverage', { recursive: true })
const output = 'coverage/vitest-results.json'
const result = spawnSync(
  'npx',
  [
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${output}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
)
let passed = 0
let failed = 0
let skipped = 0
if (existsSync(output)) {
  const report = JSON.parse(readFileSync(output, 'utf8'))
  passed = report.numPassedTests ?? 0
  failed = (report.numFailedTests ?? 0) || (report.numFailedTestSuites ?? 0)
  skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
}
const code = result.status ?? 1
if (code !== 0 && failed === 0) failed = 1
console.log(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
process.exit(code)
