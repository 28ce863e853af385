// @tessera/core/opentelemetry: the tracing port implemented with @opentelemetry/api. The main
// entry never imports OpenTelemetry: hosts that trace opt in with one import.
export { openTelemetryTracer } from './open-telemetry-tracer'
