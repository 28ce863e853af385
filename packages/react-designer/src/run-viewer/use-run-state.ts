import { useRef } from 'react'
import type { RunEvent } from './run-event'
import { createRunState, reduceRunEvent, type RunState } from './run-state'

interface Cache {
  events: readonly RunEvent[]
  count: number
  first: RunEvent | undefined
  state: RunState
}

/**
 * The state of a run from its events, reduced incrementally: when the host appends to the events
 * (a new array whose start is the old one), only the new events are applied.
 *
 * @example
 * ```tsx
 * const state = useRunState(events)
 * ```
 */
export function useRunState(events: readonly RunEvent[]): RunState {
  const cache = useRef<Cache | undefined>(undefined)
  const previous = cache.current
  if (previous && previous.events === events && previous.count === events.length)
    return previous.state
  const appended =
    previous !== undefined &&
    events.length >= previous.count &&
    events[0] === previous.first &&
    (previous.count === 0 || events[previous.count - 1] === previous.events[previous.count - 1])
  let state = appended ? previous.state : createRunState()
  for (let index = appended ? previous.count : 0; index < events.length; index += 1)
    state = reduceRunEvent(state, events[index]!)
  cache.current = { events, count: events.length, first: events[0], state }
  return state
}
