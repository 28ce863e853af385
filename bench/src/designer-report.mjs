// The designer workload (src/designer.mjs) as src/run.mjs runs and reports it.
import { fileURLToPath } from 'node:url'

export const designerWorkload = {
  id: 'designer',
  title: 'Designer: 500-node definition in headless Chromium',
  description: 'see src/designer.mjs',
  script: fileURLToPath(new URL('./designer.mjs', import.meta.url)),
  args: [],
  flags: [],
  timeoutMs: 300_000,
}

const verdict = (value, limit) => (value < limit ? 'PASS' : 'MISS')

/** Lines to print and PASS/MISS targets of the designer workload's result (if it ran). */
export function designerReport(result) {
  if (!result) return { lines: [], targets: [] }
  if (result.skipped) return { lines: [`Designer: skipped (${result.skipped})`], targets: [] }
  const { open, baseline, interactions, ratio, targets, nodes } = result
  const lines = [
    `Designer (${nodes.definition}-node definition, ${nodes.canvas} canvas nodes, ${nodes.renderedAtOpen ?? nodes.canvas} rendered at open, headless Chromium):`,
    `  open (nodes in view rendered, laid out, first view set): ${open.settled.medianMs} ms median (page loaded ${open.domContentLoaded?.medianMs} ms, first render of all nodes ${open.firstRender.medianMs} ms); outline of the same definition ${baseline.outline.medianMs} ms: ${ratio.openToOutline}× the outline`,
    `  select a node ${interactions.select.medianMs} ms, drag a palette item onto a node ${interactions.dragInsert.medianMs} ms, edit a property ${interactions.editProperty.medianMs} ms (medians, input to the frame showing the result)`,
    ...(interactions.zoomToFit
      ? [
          `  zoom to fit (every node rendered: ${nodes.renderedAfterFit}) ${interactions.zoomToFit.medianMs} ms (one sample)`,
        ]
      : []),
  ]
  const target = (name, value, limit) => ({
    name,
    value,
    limit,
    unit: 'ms',
    verdict: verdict(value, limit),
  })
  return {
    lines,
    targets: [
      target('designer: open a 500-node definition', open.settled.medianMs, targets.openMs),
      target('designer: select a node', interactions.select.medianMs, targets.interactionMs),
      target('designer: drag onto a node', interactions.dragInsert.medianMs, targets.interactionMs),
      target(
        'designer: edit a property',
        interactions.editProperty.medianMs,
        targets.interactionMs,
      ),
    ],
  }
}
