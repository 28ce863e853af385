// The README's examples are files that CI type-checks (and, for the first, runs), each without its
// first comment line: examples/quickstart/src/readme-example.ts and
// examples/local-agent/src/readme-agents.ts. This check keeps the README and the files identical.
import { readFileSync } from 'node:fs'

const root = new URL('..', import.meta.url)
const readme = readFileSync(new URL('README.md', root), 'utf8')
let failed = false
for (const file of [
  'examples/quickstart/src/readme-example.ts',
  'examples/local-agent/src/readme-agents.ts',
]) {
  const example = readFileSync(new URL(file, root), 'utf8').split('\n').slice(1).join('\n').trim()
  if (readme.includes('```ts\n' + example + '\n```')) {
    console.log(`ok      README example matches ${file}`)
  } else {
    console.error(
      `README.md does not contain ${file}: copy the example into the README (or the README example into the file)`,
    )
    failed = true
  }
}
if (failed) process.exit(1)
