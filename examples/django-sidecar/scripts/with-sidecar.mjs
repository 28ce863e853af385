// Starts the sidecar (`tessera serve --config tessera.config.ts`) on a free port with a fresh API
// key, runs a command with TESSERA_URL and TESSERA_API_KEY set (default: Django's
// `/usr/bin/python3 manage.py test`), stops the sidecar and exits with the command's code.
//
//   node scripts/with-sidecar.mjs                      # the Django tests
//   node scripts/with-sidecar.mjs python3 manage.py runserver
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

const here = new URL('..', import.meta.url).pathname
const command =
  process.argv.length > 2
    ? process.argv.slice(2)
    : ['/usr/bin/python3', 'manage.py', 'test', '-v', '2']

// Django comes from Debian (scripts/python.sh installs it). Without it the tests are skipped,
// and say so, unless CI=true, where a missing Django fails the run (as a missing database does).
if (process.argv.length <= 2) {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import django'], { stdio: 'ignore' })
  if (probe.status !== 0) {
    const message =
      '/usr/bin/python3 cannot import django: install it with `bash scripts/python.sh` (Debian python3-django)'
    if (process.env.CI === 'true') {
      console.error(`[with-sidecar] ${message}`)
      process.exit(1)
    }
    console.log(`[with-sidecar] skipped: ${message}`)
    process.exit(0)
  }
}
const keyDir = mkdtempSync(join(tmpdir(), 'tessera-sidecar-'))
const keyFile = join(keyDir, 'api-key')

const sidecar = spawn(
  join(here, 'node_modules/.bin/tessera'),
  ['serve', '--config', 'tessera.config.ts', '--port', '0', '--host', '127.0.0.1'],
  {
    cwd: here,
    env: { ...process.env, TESSERA_KEY_FILE: keyFile },
    stdio: ['ignore', 'pipe', 'inherit'],
  },
)
const sidecarExit = new Promise((resolve) =>
  sidecar.once('exit', (code, signal) => resolve({ code, signal })),
)

const url = await new Promise((resolve, reject) => {
  const timer = setTimeout(
    () => reject(new Error('the sidecar did not listen within 30 s')),
    30_000,
  )
  const lines = createInterface({ input: sidecar.stdout })
  lines.on('line', (line) => {
    console.log(`[sidecar] ${line}`)
    const match = /listening on (http:\/\/\S+)/.exec(line)
    if (match) {
      clearTimeout(timer)
      resolve(match[1])
    }
  })
  sidecarExit.then(({ code }) =>
    reject(new Error(`the sidecar exited with code ${code} before listening`)),
  )
}).catch((error) => {
  console.error(`[with-sidecar] ${error.message}`)
  sidecar.kill('SIGKILL')
  process.exit(1)
})

let code = 1
try {
  const apiKey = readFileSync(keyFile, 'utf8').trim()
  const child = spawn(command[0], command.slice(1), {
    cwd: here,
    env: { ...process.env, TESSERA_URL: url, TESSERA_API_KEY: apiKey },
    stdio: 'inherit',
  })
  code = await new Promise((resolve) => child.once('exit', (exitCode) => resolve(exitCode ?? 1)))
} finally {
  sidecar.kill('SIGTERM')
  const { code: sidecarCode } = await sidecarExit
  rmSync(keyDir, { recursive: true, force: true })
  if (sidecarCode !== 0) {
    console.error(`[with-sidecar] the sidecar exited with code ${sidecarCode} on SIGTERM`)
    code ||= 1
  }
}
process.exit(code)
