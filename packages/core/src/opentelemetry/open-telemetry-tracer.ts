import {
  context,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type Tracer as OtelTracer,
} from '@opentelemetry/api'
import type { SpanAttributes, TraceSpan, Tracer } from '../ports/tracer'

class OpenTelemetrySpan implements TraceSpan {
  constructor(
    readonly span: Span,
    /** The context in which this span is the active one: its children's parent. */
    readonly context: Context,
  ) {}
  fail(message: string): void {
    this.span.setStatus({ code: SpanStatusCode.ERROR, message })
  }
  succeed(): void {
    this.span.setStatus({ code: SpanStatusCode.OK })
  }
  end(): void {
    this.span.end()
  }
}

/**
 * A tracer for `createEngine({ tracer })` that reports to OpenTelemetry: one span per run (a
 * child of the span active when the run starts, so a run started inside an HTTP request joins its
 * trace) and one per step attempt, a child of the run's span. Defaults to the global tracer
 * provider's `@tessera/core` tracer: a no-op until an OpenTelemetry SDK is registered.
 *
 * @example
 * ```ts
 * import { openTelemetryTracer } from '@tessera/core/opentelemetry'
 * const engine = createEngine({ tracer: openTelemetryTracer() })
 * ```
 */
export function openTelemetryTracer(tracer: OtelTracer = trace.getTracer('@tessera/core')): Tracer {
  return {
    startSpan(name: string, attributes: SpanAttributes, parent?: TraceSpan): TraceSpan {
      const parentContext = parent instanceof OpenTelemetrySpan ? parent.context : context.active()
      const span = tracer.startSpan(name, { attributes }, parentContext)
      return new OpenTelemetrySpan(span, trace.setSpan(parentContext, span))
    },
  }
}
