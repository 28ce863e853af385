/** Attributes of a span. */
export type SpanAttributes = Record<string, string | number | boolean>

/** A span as the engine uses it: opened, marked, ended. */
export interface TraceSpan {
  /** Marks the span as failed, with a message. */
  fail(message: string): void
  /** Marks the span as succeeded. */
  succeed(): void
  end(): void
}

/**
 * The tracing port: the engine opens one span per run and one per step attempt (a child of its
 * run's span). `openTelemetryTracer()` from `@tessera/core/opentelemetry` implements it with
 * `@opentelemetry/api`; without a tracer the engine opens no spans and core never loads
 * OpenTelemetry.
 *
 * @example
 * ```ts
 * import { openTelemetryTracer } from '@tessera/core/opentelemetry'
 * const engine = createEngine({ tracer: openTelemetryTracer() })
 * ```
 */
export interface Tracer {
  /** Opens a span; `parent` is a span this tracer opened (the run's, for a step). */
  startSpan(name: string, attributes: SpanAttributes, parent?: TraceSpan): TraceSpan
}
