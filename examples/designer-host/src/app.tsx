import type { EngineEvent } from '@tessera/core'
import { createRegistry } from '@tessera/core'
import { generateCode, validateDefinition, type WorkflowDefinition } from '@tessera/core/definition'
import { DefinitionOutline, RunViewer, WorkflowDesigner } from '@tessera/react-designer'
import { useDeferredValue, useMemo, useState, type ReactElement } from 'react'
import { demoPlugin } from './demo-steps'
import { emptyDefinition } from './empty-definition'
import { largeDefinition } from './large-definition'
import { runInBrowser } from './run-in-browser'

// What the designer offers: the demo steps, described as a backend would send them.
const registry = (() => {
  const mutable = createRegistry()
  mutable.addPlugin(demoPlugin)
  return mutable.describe()
})()

// Query parameters: `nodes=500` opens a generated definition of that size (the benchmark),
// `view=outline` shows only the outline of it (the benchmark's baseline).
const parameters = new URLSearchParams(globalThis.location?.search ?? '')
const size = Number(parameters.get('nodes') ?? 0)
const initialDefinition = size > 0 ? largeDefinition(size) : emptyDefinition

interface RunView {
  definition: WorkflowDefinition
  events: EngineEvent[]
  error?: string
}

/** The host page: the designer, exports, and a run of the designed workflow in this page. */
export function App(): ReactElement {
  const [definition, setDefinition] = useState<WorkflowDefinition>(initialDefinition)
  const [dark, setDark] = useState(parameters.get('theme') === 'dark')
  const [exported, setExported] = useState<{ kind: 'json' | 'code'; text: string } | null>(null)
  const [run, setRun] = useState<RunView | null>(null)
  // The designer shows problems on the nodes itself; the host checks too, to allow a run only
  // of a definition without errors. Deferred: the check (tens of ms for 500 nodes) runs in a
  // render of its own after the designer shows the change, and the Run button waits for it.
  const checked = useDeferredValue<WorkflowDefinition | undefined>(definition, undefined)
  const errors = useMemo(
    () =>
      checked === undefined
        ? undefined
        : validateDefinition(checked, { registry }).issues.filter(
            (issue) => issue.severity === 'error',
          ),
    [checked],
  )

  if (parameters.get('view') === 'outline')
    return (
      <main className="host">
        <DefinitionOutline definition={definition} />
      </main>
    )

  const exportCode = () => {
    try {
      setExported({
        kind: 'code',
        text: generateCode(definition, { registryModule: './components' }),
      })
    } catch (error) {
      setExported({ kind: 'code', text: `// ${(error as Error).message}` })
    }
  }

  const start = () => {
    const snapshot = definition
    setRun({ definition: snapshot, events: [] })
    const onEvent = (event: EngineEvent) =>
      setRun((current) =>
        current && current.definition === snapshot
          ? { ...current, events: [...current.events, event] }
          : current,
      )
    runInBrowser(snapshot, onEvent).catch((error: unknown) =>
      setRun((current) =>
        current && current.definition === snapshot
          ? { ...current, error: (error as Error).message }
          : current,
      ),
    )
  }

  return (
    <main className="host" data-theme={dark ? 'dark' : 'light'}>
      <header className="host__header">
        <h1>Tessera designer host</h1>
        <label className="host__toggle">
          <input
            type="checkbox"
            checked={dark}
            onChange={(event) => setDark(event.target.checked)}
          />{' '}
          Dark mode
        </label>
      </header>
      <section className="host__designer" aria-label="Designer">
        <WorkflowDesigner
          registry={registry}
          value={definition}
          onChange={setDefinition}
          colorMode={dark ? 'dark' : 'light'}
        />
      </section>
      <section className="host__actions" aria-label="Workflow actions">
        <button
          type="button"
          onClick={() => setExported({ kind: 'json', text: JSON.stringify(definition, null, 2) })}
        >
          Export definition
        </button>
        <button type="button" onClick={exportCode}>
          Export code
        </button>
        <button
          type="button"
          onClick={start}
          disabled={errors === undefined || errors.length > 0 || checked !== definition}
        >
          Run
        </button>
        <span className="host__validation" data-testid="validation-summary" role="status">
          {errors === undefined
            ? 'Checking…'
            : errors.length === 0
              ? 'No problems'
              : `${errors.length} problem${errors.length === 1 ? '' : 's'}: ${errors.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`}
        </span>
      </section>
      {exported && (
        <pre
          className="host__export"
          data-testid={exported.kind === 'json' ? 'exported-definition' : 'exported-code'}
        >
          {exported.text}
        </pre>
      )}
      {run && (
        <section className="host__run" aria-label="Run">
          {run.error && (
            <p role="alert" data-testid="run-error">
              {run.error}
            </p>
          )}
          <RunViewer
            definition={run.definition}
            run={{ events: run.events }}
            colorMode={dark ? 'dark' : 'light'}
          />
        </section>
      )}
    </main>
  )
}
