/* global window, document, requestAnimationFrame -- functions passed to page.evaluate run in the page */
// Designer workload: examples/designer-host (bundled by Vite in production mode, as an
// application would ship it) in Debian's headless Chromium, driven by playwright-core. Measures opening a
// 500-node definition in <WorkflowDesigner> against opening the same definition in the plain
// <DefinitionOutline> (the baseline, same page, same browser), then three interactions on the
// open 500-node design: select a node, drag a palette item onto a node (insert), and edit a
// property through the form. Prints `@@RESULT {json}` for src/run.mjs; run alone with
// `node src/designer.mjs`.
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { extname, join, normalize } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { median, round } from './stats.mjs'

const repository = fileURLToPath(new URL('../../', import.meta.url))
const hostDir = join(repository, 'examples/designer-host')
// playwright-core and vite are the host app's own dev dependencies.
const hostRequire = createRequire(join(hostDir, 'package.json'))
const size = Number(process.env.BENCH_DESIGNER_NODES ?? 500)
const scale = Number(process.env.BENCH_SCALE ?? 1)
const openRuns = Math.max(3, Math.round(7 * scale))
const interactionRuns = Math.max(3, Math.round(9 * scale))
const chromiumPath = process.env.TESSERA_CHROMIUM ?? '/usr/bin/chromium'
const flags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
]
export const designerTargets = { openMs: 1000, interactionMs: 100 }

const progress = (message) => process.stderr.write(`  [designer] ${message}\n`)

const source = (path) => join(repository, path)
// The page's packages resolved to their sources (subpaths first), bundled by Vite in production
// mode as an application would bundle them: no stale dist, and no build of the packages needed.
const alias = [
  {
    find: /^@tessera\/core\/definition$/,
    replacement: source('packages/core/src/definition/index.ts'),
  },
  { find: /^@tessera\/core$/, replacement: source('packages/core/src/index.ts') },
  {
    find: /^@tessera\/react-designer\/style\.css$/,
    replacement: source('packages/react-designer/src/style.css'),
  },
  {
    find: /^@tessera\/react-designer$/,
    replacement: source('packages/react-designer/src/index.ts'),
  },
]

async function buildHost() {
  progress('building examples/designer-host (vite build, production)')
  const { build } = await import(pathToFileURL(hostRequire.resolve('vite')).href)
  const outDir = await mkdtemp(join(tmpdir(), 'tessera-designer-bench-'))
  process.env.NODE_ENV = 'production'
  await build({
    root: hostDir,
    configFile: join(hostDir, 'vite.config.ts'),
    mode: 'production',
    logLevel: 'error',
    resolve: { alias },
    build: { outDir, emptyOutDir: true },
  })
  return outDir
}

async function serve(folder) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' }
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname
    const file = normalize(join(folder, path === '/' ? 'index.html' : path))
    if (!file.startsWith(folder)) return void response.writeHead(403).end()
    readFile(file).then(
      (body) => {
        response.writeHead(200, {
          'content-type': types[extname(file)] ?? 'application/octet-stream',
        })
        response.end(body)
      },
      () => response.writeHead(404).end(),
    )
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() }
}

// Installed in every page before its scripts: a frame loop that records when the canvas shows
// every node measured (first render) and when nodes and viewport last moved (layout and fit
// done), and the start of the last pointer or keyboard input, for the interactions.
function pageProbe() {
  const probe = { allNodesAt: undefined, lastChangeAt: undefined, inputAt: undefined }
  window.__tsrProbe = probe
  for (const type of ['pointerdown', 'pointerup', 'click', 'keydown'])
    window.addEventListener(type, () => (probe.inputAt ??= performance.now()), { capture: true })
  let signature = ''
  const frame = () => {
    const nodes = document.querySelectorAll('.react-flow__node')
    const viewport = document.querySelector('.react-flow__viewport')
    if (nodes.length > 0) {
      const measured = [...nodes].every((node) => node.style.visibility !== 'hidden')
      if (measured && probe.allNodesAt === undefined) probe.allNodesAt = performance.now()
      const next = `${nodes.length}|${viewport?.style.transform}|${nodes[0].style.transform}|${nodes[nodes.length - 1].style.transform}`
      if (next !== signature) {
        signature = next
        probe.lastChangeAt = performance.now()
      }
    }
    requestAnimationFrame(frame)
  }
  requestAnimationFrame(frame)
}

/** Waits until `condition` (run in the page each frame) returns a time, and returns it. */
async function frameWhen(page, condition, argument) {
  const handle = await page.waitForFunction(condition, argument, {
    polling: 'raf',
    timeout: 60_000,
  })
  return handle.jsonValue()
}

async function openDesigner(context, url) {
  const page = await context.newPage()
  await page.setViewportSize({ width: 1440, height: 900 })
  await page.goto(`${url}?nodes=${size}`)
  // Settled: every node measured and nothing moved for 1 s (ELK layout and fit view done).
  await page.waitForFunction(
    () => {
      const probe = window.__tsrProbe
      return (
        probe.allNodesAt !== undefined &&
        probe.lastChangeAt !== undefined &&
        performance.now() - probe.lastChangeAt > 1000
      )
    },
    undefined,
    { polling: 100, timeout: 60_000 },
  )
  const probe = await page.evaluate(() => ({
    ...window.__tsrProbe,
    loadedAt: performance.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd,
  }))
  // A large graph renders only the nodes in view; the minimap draws every one.
  const nodes = await page.locator('.react-flow__minimap-node').count()
  const rendered = await page.locator('.react-flow__node').count()
  return {
    page,
    loadedMs: probe.loadedAt,
    firstRenderMs: probe.allNodesAt,
    openMs: probe.lastChangeAt,
    nodes,
    rendered,
  }
}

async function openOutline(context, url) {
  const page = await context.newPage()
  await page.setViewportSize({ width: 1440, height: 900 })
  await page.goto(`${url}?nodes=${size}&view=outline`)
  const at = await frameWhen(
    page,
    (count) => document.querySelectorAll('[role="treeitem"]').length >= count && performance.now(),
    size,
  )
  await page.close()
  return at
}

/** Time from the input's first event to the first frame where `condition` holds. */
async function timed(page, act, condition, argument) {
  await page.evaluate(() => (window.__tsrProbe.inputAt = undefined))
  await act()
  const at = await frameWhen(page, condition, argument)
  const inputAt = await page.evaluate(() => window.__tsrProbe.inputAt)
  return at - inputAt
}

async function center(locator) {
  const box = await locator.boundingBox()
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 }
}

/** Ids of step nodes shown whole inside the canvas, from the middle of the view outwards. */
function visibleStepIds() {
  const canvas = document.querySelector('.react-flow').getBoundingClientRect()
  const inside = [...document.querySelectorAll('[data-tsr-node-id^="step-"]')].filter((node) => {
    const box = node.getBoundingClientRect()
    return (
      box.top > canvas.top + 40 &&
      box.bottom < canvas.bottom - 40 &&
      box.left > canvas.left &&
      box.right < canvas.right
    )
  })
  const middle = (canvas.top + canvas.bottom) / 2
  const distance = (node) => Math.abs(node.getBoundingClientRect().top - middle)
  return inside.sort((a, b) => distance(a) - distance(b)).map((node) => node.dataset.tsrNodeId)
}

/** Drags the canvas background up by 300 px (the graph's next part comes into view). */
async function panDown(page) {
  const canvas = await page.locator('.react-flow').boundingBox()
  const x = canvas.x + 120
  const y = canvas.y + canvas.height - 40
  await page.mouse.move(x, y)
  await page.mouse.down()
  await page.mouse.move(x, y - 300, { steps: 5 })
  await page.mouse.up()
  await page.waitForFunction(
    () => performance.now() - window.__tsrProbe.lastChangeAt > 300,
    undefined,
    { polling: 100, timeout: 60_000 },
  )
}

async function interactions(page) {
  const select = []
  const insert = []
  const edit = []
  let last
  for (let index = 0; index < interactionRuns; index += 1) {
    // A step in view, not the one selected by the last round (it may have been edited before:
    // a large graph shows only part of itself).
    let id
    for (let pans = 0; pans < 10; pans += 1) {
      id = (await page.evaluate(visibleStepIds)).find((candidate) => candidate !== last)
      if (id) break
      await panDown(page)
    }
    if (!id) throw new Error('designer bench: no step node is visible on the canvas')
    // Select: click a node; done when it is selected and the form shows it.
    select.push(
      await timed(
        page,
        () => page.getByTestId(`tsr-node-${id}`).click(),
        (nodeId) =>
          document
            .querySelector(`[data-testid="tsr-node-${nodeId}"]`)
            ?.closest('.react-flow__node')
            ?.classList.contains('selected') &&
          document.querySelector('[data-testid="tsr-properties"] input')?.value === nodeId &&
          performance.now(),
        id,
      ),
    )
    // Edit: rename the node through the form; done when the canvas shows the new id.
    const renamed = `${id.replace(/-edited-\d+$/, '')}-edited-${index}`
    last = renamed
    await page
      .getByTestId('tsr-properties')
      .getByLabel(/Node id/)
      .fill(renamed)
    edit.push(
      await timed(
        page,
        () => page.getByTestId('tsr-properties-apply').click(),
        (nodeId) =>
          document.querySelector(`[data-testid="tsr-node-${nodeId}"]`) !== null &&
          performance.now(),
        renamed,
      ),
    )
    // Drag: a palette item onto the node (inserted after it); done when the new node shows. A
    // large graph renders only the nodes in view: the new node is the sleep node not seen before.
    const before = await page.evaluate(() =>
      [...document.querySelectorAll('[data-node-kind="sleep"]')].map(
        (node) => node.dataset.tsrNodeId,
      ),
    )
    const from = await center(page.getByTestId('tsr-palette-item-control:sleep'))
    const to = await center(page.getByTestId(`tsr-node-${renamed}`))
    await page.mouse.move(from.x, from.y)
    await page.mouse.down()
    await page.mouse.move(from.x + 30, from.y + 10, { steps: 3 })
    await page.mouse.move(to.x, to.y, { steps: 5 })
    insert.push(
      await timed(
        page,
        () => page.mouse.up(),
        (seen) =>
          [...document.querySelectorAll('[data-node-kind="sleep"]')].some(
            (node) => !seen.includes(node.dataset.tsrNodeId),
          ) && performance.now(),
        before,
      ),
    )
    // Let the new layout settle before the next round.
    await page.waitForFunction(
      () => performance.now() - window.__tsrProbe.lastChangeAt > 500,
      undefined,
      {
        polling: 100,
        timeout: 60_000,
      },
    )
  }
  return { select, insert, edit }
}

const summary = (values) => ({
  medianMs: round(median(values), 1),
  minMs: round(Math.min(...values), 1),
  maxMs: round(Math.max(...values), 1),
  samplesMs: values.map((value) => round(value, 1)),
})

async function main() {
  if (!existsSync(chromiumPath)) {
    const reason = `no Chromium at ${chromiumPath} (bash scripts/browser.sh installs Debian's chromium)`
    process.stdout.write(`@@RESULT ${JSON.stringify({ skipped: reason })}\n`)
    return
  }
  const { chromium } = hostRequire('playwright-core')
  const outDir = await buildHost()
  const server = await serve(outDir)
  const userDataDir = await mkdtemp(join(tmpdir(), 'tessera-chromium-bench-'))
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: flags,
  })
  await context.addInitScript(pageProbe)
  try {
    progress(
      `opening a ${size}-node definition: ${openRuns} runs + 1 warmup, alternated with the outline`,
    )
    const designer = { loaded: [], firstRender: [], open: [] }
    const outline = []
    let nodes = 0
    let rendered = 0
    for (let index = 0; index <= openRuns; index += 1) {
      const order = index % 2 === 0 ? ['designer', 'outline'] : ['outline', 'designer']
      for (const variant of order) {
        if (variant === 'outline') {
          const at = await openOutline(context, server.url)
          if (index > 0) outline.push(at)
        } else {
          const opened = await openDesigner(context, server.url)
          nodes = opened.nodes
          rendered = opened.rendered
          if (index > 0) {
            designer.loaded.push(opened.loadedMs)
            designer.firstRender.push(opened.firstRenderMs)
            designer.open.push(opened.openMs)
          }
          await opened.page.close()
        }
      }
    }
    progress(`interactions on the open design: ${interactionRuns} each`)
    const opened = await openDesigner(context, server.url)
    const measured = await interactions(opened.page)
    // Zoom to fit: the whole graph on screen, so every node rendered (once: it cannot be undone).
    const scale = () =>
      Number(
        /scale\(([^)]+)\)/.exec(
          document.querySelector('.react-flow__viewport').style.transform,
        )?.[1] ?? 1,
      )
    const zoomBefore = await opened.page.evaluate(scale)
    const zoomToFit = await timed(
      opened.page,
      () => opened.page.getByTestId('tsr-action-fit').click(),
      (before) =>
        Number(
          /scale\(([^)]+)\)/.exec(
            document.querySelector('.react-flow__viewport').style.transform,
          )?.[1] ?? 1,
        ) < before && performance.now(),
      zoomBefore,
    )
    const renderedAfterFit = await opened.page.locator('.react-flow__node').count()
    await opened.page.close()
    const open = summary(designer.open)
    const baseline = summary(outline)
    const result = {
      title: `Designer: ${size}-node definition in headless Chromium`,
      description: `examples/designer-host bundled by Vite (production) from the packages' sources, ${chromiumPath} (${flags.join(' ')}); open = navigation start to the frame where every rendered canvas node is measured and nodes and viewport have stopped moving (layout and first view done; over 200 canvas nodes the designer renders only the nodes in view and opens on the workflow's start, renderedAtOpen); zoomToFit = once after the interactions, click on Zoom to fit to the first frame at the new zoom (every node rendered, renderedAfterFit); baseline = the same definition in <DefinitionOutline> (every tree item rendered), same page and browser; interactions on the open design, from the input event to the first frame showing the result`,
      nodes: { definition: size, canvas: nodes, renderedAtOpen: rendered, renderedAfterFit },
      open: {
        domContentLoaded: summary(designer.loaded),
        firstRender: summary(designer.firstRender),
        settled: open,
      },
      baseline: { outline: baseline },
      ratio: { openToOutline: round(open.medianMs / baseline.medianMs) },
      interactions: {
        select: summary(measured.select),
        dragInsert: summary(measured.insert),
        editProperty: summary(measured.edit),
        zoomToFit: summary([zoomToFit]),
      },
      targets: designerTargets,
    }
    process.stdout.write(`@@RESULT ${JSON.stringify(result)}\n`)
  } finally {
    await context.close()
    server.close()
    await rm(userDataDir, { recursive: true, force: true })
    await rm(outDir, { recursive: true, force: true })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error)
    process.exit(1)
  })
}
