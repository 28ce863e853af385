// Verifies that every package's package.json `exports` map is exactly what its tsup entry list
// implies (types first, then default; import and require; plus ./package.json).
// A tsup.config.mjs may also export `extraExports`, explicit non-JS files such as
// `{ './style.css': './dist/style.css' }`; they are checked strictly and listed before ./package.json.
// Run with --fix to rewrite the maps.
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const root = new URL('..', import.meta.url).pathname
const fix = process.argv.includes('--fix')
let failures = 0

export function exportsFor(entry, extraExports = {}) {
  const map = {}
  for (const name of Object.keys(entry)) {
    const key = name === 'index' ? '.' : `./${name}`
    map[key] = {
      import: { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` },
      require: { types: `./dist/${name}.d.cts`, default: `./dist/${name}.cjs` },
    }
  }
  for (const [key, target] of Object.entries(extraExports)) map[key] = target
  map['./package.json'] = './package.json'
  return map
}

/** Problems with a package's `extraExports`: only plain, non-JS files under ./dist, no clashes. */
export function extraExportProblems(entry, extraExports) {
  if (extraExports === undefined) return []
  if (typeof extraExports !== 'object' || extraExports === null || Array.isArray(extraExports)) {
    return ['extraExports must be an object of export path to file']
  }
  const jsKeys = new Set(Object.keys(entry).map((name) => (name === 'index' ? '.' : `./${name}`)))
  const problems = []
  for (const [key, target] of Object.entries(extraExports)) {
    if (!/^\.\/[\w.-]+(\/[\w.-]+)*\.\w+$/.test(key))
      problems.push(
        `extraExports key ${JSON.stringify(key)} must be a file path like "./style.css"`,
      )
    if (jsKeys.has(key) || key === './package.json')
      problems.push(`extraExports key ${JSON.stringify(key)} clashes with a generated export`)
    if (typeof target !== 'string' || !/^\.\/dist\/[\w.-]+(\/[\w.-]+)*\.\w+$/.test(target)) {
      problems.push(
        `extraExports[${JSON.stringify(key)}] must be a file under ./dist, received ${JSON.stringify(target)}`,
      )
    } else if (
      /\.(?:[cm]?js|d\.[cm]?ts|[cm]?ts|map)$/.test(target) ||
      /\.(?:[cm]?js|[cm]?ts)$/.test(key)
    ) {
      problems.push(
        `extraExports[${JSON.stringify(key)}] is a JS or type file: declare it as a tsup entry instead`,
      )
    }
  }
  return problems
}

for (const dir of readdirSync(join(root, 'packages'))) {
  const packageDir = join(root, 'packages', dir)
  const configPath = join(packageDir, 'tsup.config.mjs')
  if (!existsSync(configPath)) continue
  const { entry, extraExports } = await import(pathToFileURL(configPath).href)
  const packagePath = join(packageDir, 'package.json')
  const manifest = JSON.parse(readFileSync(packagePath, 'utf8'))
  const problems = extraExportProblems(entry, extraExports)
  // After a build, every extra file must be there (a broken copy step would ship without it).
  if (problems.length === 0 && existsSync(join(packageDir, 'dist'))) {
    for (const [key, target] of Object.entries(extraExports ?? {})) {
      if (!existsSync(join(packageDir, target)))
        problems.push(`extraExports[${JSON.stringify(key)}]: ${target} is missing from the build`)
    }
  }
  if (problems.length > 0) {
    failures++
    for (const problem of problems) console.error(`${manifest.name}: ${problem}`)
    continue
  }
  const expected = exportsFor(entry, extraExports)
  if (JSON.stringify(manifest.exports) !== JSON.stringify(expected)) {
    if (fix) {
      manifest.exports = expected
      writeFileSync(packagePath, JSON.stringify(manifest, null, 2) + '\n')
      console.log(`fixed   ${manifest.name}`)
    } else {
      failures++
      console.error(
        `${manifest.name}: package.json "exports" does not match tsup entries ${JSON.stringify(Object.keys(entry))}; run: node scripts/check-exports.mjs --fix`,
      )
    }
  } else {
    console.log(`ok      ${manifest.name} (${Object.keys(entry).length} entries)`)
  }
}
if (failures > 0) process.exit(1)
