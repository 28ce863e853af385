import type { AnyRunnable, IdOf, InputOf } from './workflow'

// Compile-time errors of the builder. Each is an object type whose single key is the message,
// so TypeScript's "is not assignable to parameter of type …" shows the message and the step ids.

/** The step cannot accept the previous output. */
export type StepInputMismatch<TStepId extends string, TReceived, TExpected> = {
  [K in `❌ Step "${TStepId}" cannot accept the previous output`]: {
    expected: TExpected
    received: TReceived
  }
}

/** `.foreach()` after something that is not an array. */
export type ForeachNeedsArray<TStepId extends string, TReceived> = {
  [K in `❌ .foreach("${TStepId}") needs an array, but the previous output is not one`]: {
    received: TReceived
  }
}

/** A loop body's output cannot feed its next iteration. */
export type LoopOutputMismatch<TStepId extends string, TOutput, TInput> = {
  [K in `❌ .loop("${TStepId}"): the body's output cannot be its next input`]: {
    output: TOutput
    input: TInput
  }
}

/** The workflow's last output does not match its declared output schema. */
export type WorkflowOutputMismatch<TWorkflowId extends string, TReceived, TExpected> = {
  [K in `❌ Workflow "${TWorkflowId}" ends with an output that does not match its output schema`]: {
    expected: TExpected
    received: TReceived
  }
}

/** `unknown` (no constraint) when `TValue` fits `R`'s input, else the mismatch error. */
export type Accepts<TValue, R extends AnyRunnable> = [TValue] extends [InputOf<R>]
  ? unknown
  : StepInputMismatch<IdOf<R>, TValue, InputOf<R>>
