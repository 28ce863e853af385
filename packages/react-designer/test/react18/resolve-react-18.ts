// The designer's component tests again, under React 18 (the peer range is `^18 || ^19`; the
// workspace installs 19). React 18 is installed as `react-18` / `react-dom-18`
// (npm aliases, dev dependencies of @tessera/react-designer). Two mechanisms point every copy
// of React in the test process at 18:
// - modules Vite transforms (the designer's sources, and the ESM dependencies the vitest
//   project inlines: @xyflow/react, @rjsf/*, zustand, markdown-to-jsx) get `react*` rewritten by
//   the `jsdom-react18` project's `resolve.alias` in vitest.config.ts;
// - CommonJS modules Node loads itself (react-dom, use-sync-external-store, the Testing Library)
//   `require('react')`, which pnpm links to 19: this setup file redirects those requests to 18.
import { createRequire } from 'node:module'
import Module from 'node:module'

const require = createRequire(import.meta.url)
const react18 = require.resolve('react-18/package.json').replace(/package\.json$/, '')
const reactDom18 = require.resolve('react-dom-18/package.json').replace(/package\.json$/, '')

const moduleInternals = Module as unknown as {
  _resolveFilename: (request: string, ...rest: unknown[]) => string
}
const resolveFilename = moduleInternals._resolveFilename
moduleInternals._resolveFilename = function resolveReact18(request: string, ...rest: unknown[]) {
  const match = /^(react|react-dom)(\/.*)?$/.exec(request)
  if (match) {
    const folder = match[1] === 'react' ? react18 : reactDom18
    const target = match[2] === undefined ? folder : `${folder}${match[2].slice(1)}`
    return resolveFilename.call(this, target, ...rest)
  }
  return resolveFilename.call(this, request, ...rest)
}
