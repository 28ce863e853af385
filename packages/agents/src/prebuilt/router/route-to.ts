import { InvalidArgumentError } from '@tessera/core'

/** Options of {@link routeTo}. */
export interface RouteToOptions {
  /** Only when the router is at least this sure (0 to 1); below it the next case is tried. */
  minConfidence?: number
}

/**
 * A `.branch()` condition that holds when the previous step, a router made by
 * `createRouterAgent`, chose `route` (and, with `minConfidence`, was sure enough). End the cases
 * with `[() => true, fallback]` for everything else.
 *
 * @example
 * ```ts
 * .then(agentStep(router))
 * .branch([
 *   [routeTo('billing'), billingStep],
 *   [routeTo('technical', { minConfidence: 0.6 }), technicalStep],
 *   [() => true, humanTriageStep],
 * ])
 * ```
 */
export function routeTo<TRoute extends string>(
  route: TRoute,
  options: RouteToOptions = {},
): (args: { input: { route: string; confidence?: number } }) => boolean {
  if (typeof route !== 'string' || route === '') {
    throw new InvalidArgumentError({
      fn: 'routeTo',
      argument: 'route',
      expected: 'a route id',
      received: route,
    })
  }
  const minConfidence = options.minConfidence
  if (
    minConfidence !== undefined &&
    (typeof minConfidence !== 'number' || !(minConfidence >= 0 && minConfidence <= 1))
  ) {
    throw new InvalidArgumentError({
      fn: 'routeTo',
      argument: 'options.minConfidence',
      expected: 'a number from 0 to 1',
      received: minConfidence,
    })
  }
  return ({ input }) =>
    input.route === route &&
    (minConfidence === undefined ||
      (typeof input.confidence === 'number' && input.confidence >= minConfidence))
}
