// Verifies that every package's package.json `exports` map is exactly what its tsup entry list
// implies (types first, then default; import and require; plus ./package.json).
// Run with --fix to rewrite the maps.
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const root = new URL('..', import.meta.url).pathname
const fix = process.argv.includes('--fix')
let failures = 0

export function exportsFor(entry) {
  const map = {}
  for (const name of Object.keys(entry)) {
    const key = name === 'index' ? '.' : `./${name}`
    map[key] = {
      import: { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` },
      require: { types: `./dist/${name}.d.cts`, default: `./dist/${name}.cjs` },
    }
  }
  map['./package.json'] = './package.json'
  return map
}

for (const dir of readdirSync(join(root, 'packages'))) {
  const packageDir = join(root, 'packages', dir)
  const configPath = join(packageDir, 'tsup.config.mjs')
  if (!existsSync(configPath)) continue
  const { entry } = await import(pathToFileURL(configPath).href)
  const packagePath = join(packageDir, 'package.json')
  const manifest = JSON.parse(readFileSync(packagePath, 'utf8'))
  const expected = exportsFor(entry)
  if (JSON.stringify(manifest.exports) !== JSON.stringify(expected)) {
    if (fix) {
      manifest.exports = expected
      writeFileSync(packagePath, JSON.stringify(manifest, null, 2) + '\n')
      console.log(`fixed   ${manifest.name}`)
    } else {
      failures++
      console.error(`${manifest.name}: package.json "exports" does not match tsup entries ${JSON.stringify(Object.keys(entry))}; run: node scripts/check-exports.mjs --fix`)
    }
  } else {
    console.log(`ok      ${manifest.name} (${Object.keys(entry).length} entries)`)
  }
}
if (failures > 0) process.exit(1)
