// Helpers of the code generator's tests (not published): write generated modules into a scratch
// directory inside the package (so `zod` and the `@tessera/core` alias resolve), type-check them
// with the TypeScript compiler, and import them.
import { execFile } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import ts from 'typescript'

const packageRoot = new URL('..', import.meta.url).pathname

/** A scratch directory under `packages/core/.tessera/` (ignored by git). */
export function createScratchDirectory(name: string): { path: string; remove: () => void } {
  const path = join(packageRoot, '.tessera', `${name}-${process.pid}-${Date.now()}`)
  mkdirSync(path, { recursive: true })
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

/** Writes `source` to `directory/name` and returns the file's path. */
export function writeModule(directory: string, name: string, source: string): string {
  const file = join(directory, name)
  writeFileSync(file, source)
  return file
}

/** A module that re-exports `agents`, `connectors`, `functions`, `steps` and `workflows` from a test fixture module. */
export function registryModule(fixture: string): string {
  return `export { agents, connectors, functions, steps, workflows } from '${join(packageRoot, 'test', fixture)}'\n`
}

/**
 * Type-checks `files` as `tsc --strict` would (the repository's compiler options, with
 * `@tessera/core` mapped to the sources) and returns the diagnostics, formatted.
 */
export function typeCheck(files: string[], extra: ts.CompilerOptions = {}): string[] {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    esModuleInterop: true,
    isolatedModules: true,
    verbatimModuleSyntax: true,
    types: ['node'],
    baseUrl: packageRoot,
    paths: { '@tessera/core': ['src/index.ts'] },
    ...extra,
  }
  const program = ts.createProgram(files, options)
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')
    if (!diagnostic.file || diagnostic.start === undefined) return message
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start)
    return `${diagnostic.file.fileName}:${line + 1}: ${message}`
  })
}

/**
 * Runs `script` (a file in `directory`) with tsx in a Node process of its own, `@tessera/core`
 * mapped to the sources by a tsconfig in `directory`, and returns what it printed.
 */
export async function runWithTsx(directory: string, script: string): Promise<string> {
  writeModule(
    directory,
    'tsconfig.json',
    JSON.stringify({
      compilerOptions: {
        module: 'ESNext',
        moduleResolution: 'Bundler',
        strict: true,
        baseUrl: packageRoot,
        paths: { '@tessera/core': ['src/index.ts'] },
      },
    }),
  )
  const tsx = join(packageRoot, 'node_modules', '.bin', 'tsx')
  const { stdout } = await promisify(execFile)(tsx, [join(directory, script)], {
    cwd: directory,
    maxBuffer: 10_000_000,
  })
  return stdout
}
