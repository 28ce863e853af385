import type { ReactElement } from 'react'
import { formatDuration } from './format-duration'
import type { RunNodeView } from './run-node-views'
import type { RunInstanceState } from './run-state'

/**
 * Props of {@link RunDetailsPanel}.
 *
 * @example
 * ```tsx
 * const props: RunDetailsPanelProps = { view, detail: 'step fetch-order', onClose: () => setSelected(null) }
 * ```
 */
export interface RunDetailsPanelProps {
  /** The node's id and what the run did there. */
  view: RunNodeView
  /** A short description of the node, such as `step fetch-order`. */
  detail?: string
  onClose?: () => void
}

/**
 * What a run did at one node: status, attempts and timings of each instance, with its input,
 * output and error as JSON. The run viewer shows it for the selected node.
 *
 * @example
 * ```tsx
 * <RunDetailsPanel view={views.get('fetch-order')!} onClose={() => setSelected(null)} />
 * ```
 */
export function RunDetailsPanel(props: RunDetailsPanelProps): ReactElement {
  const { view, detail, onClose } = props
  const duration =
    view.startedAt !== undefined && view.endedAt !== undefined
      ? formatDuration(view.endedAt - view.startedAt)
      : undefined
  return (
    <section
      className="tsr-run-details"
      aria-label={`Run details of ${view.nodeId}`}
      data-testid="run-details"
      data-status={view.status}
    >
      <header className="tsr-run-details__header">
        <h3 className="tsr-run-details__title">{view.nodeId}</h3>
        {onClose && (
          <button type="button" className="tsr-run-details__close" onClick={onClose}>
            Close
          </button>
        )}
      </header>
      {detail && <p className="tsr-run-details__detail">{detail}</p>}
      <dl className="tsr-run-details__facts">
        <dt>Status</dt>
        <dd>
          <span className="tsr-run-status" data-status={view.status}>
            {view.status}
          </span>
        </dd>
        {duration && (
          <>
            <dt>Duration</dt>
            <dd>{duration}</dd>
          </>
        )}
        {view.startedAt !== undefined && (
          <>
            <dt>Started</dt>
            <dd>{new Date(view.startedAt).toISOString()}</dd>
          </>
        )}
      </dl>
      {view.instances.length === 0 ? (
        <p className="tsr-run-details__empty">
          {view.status === 'pending' ? 'Not reached yet.' : 'No step of its own ran here.'}
        </p>
      ) : (
        view.instances.map((instance) => <InstanceDetails key={instance.key} instance={instance} />)
      )}
    </section>
  )
}

function InstanceDetails({ instance }: { instance: RunInstanceState }): ReactElement {
  return (
    <article className="tsr-run-details__instance" data-key={instance.key}>
      <h4 className="tsr-run-details__key">
        {instance.key}{' '}
        <span className="tsr-run-status" data-status={instance.status}>
          {instance.status}
        </span>
      </h4>
      <dl className="tsr-run-details__facts">
        <dt>Attempts</dt>
        <dd>{instance.attempts}</dd>
        {instance.durationMs !== undefined && (
          <>
            <dt>Duration</dt>
            <dd>{formatDuration(instance.durationMs)}</dd>
          </>
        )}
        {instance.wait && (
          <>
            <dt>Waiting for</dt>
            <dd>
              {instance.wait.kind} {instance.wait.name}
            </dd>
          </>
        )}
      </dl>
      <JsonBlock label="Input" value={instance.input} />
      <JsonBlock label="Output" value={instance.output} />
      {instance.error && <JsonBlock label="Error" value={instance.error} />}
    </article>
  )
}

function JsonBlock({ label, value }: { label: string; value: unknown }): ReactElement | null {
  if (value === undefined) return null
  return (
    <details className="tsr-run-details__json" open>
      <summary>{label}</summary>
      <pre>{JSON.stringify(value, null, 2)}</pre>
    </details>
  )
}
