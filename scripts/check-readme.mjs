// The README's example is examples/quickstart/src/readme-example.ts (without its first comment
// line), which CI type-checks and runs. This check keeps the two identical.
import { readFileSync } from 'node:fs'

const root = new URL('..', import.meta.url)
const example = readFileSync(new URL('examples/quickstart/src/readme-example.ts', root), 'utf8')
  .split('\n')
  .slice(1)
  .join('\n')
  .trim()
const readme = readFileSync(new URL('README.md', root), 'utf8')
if (!readme.includes('```ts\n' + example + '\n```')) {
  console.error(
    'README.md does not contain examples/quickstart/src/readme-example.ts: copy the example into the README (or the README example into the file)',
  )
  process.exit(1)
}
console.log('ok      README example matches examples/quickstart/src/readme-example.ts')
