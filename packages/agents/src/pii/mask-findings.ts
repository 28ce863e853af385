/**
 * `text` with each finding's span replaced by `mask(finding)`. Findings must be sorted by
 * position and must not overlap (what `detectPii` returns).
 *
 * @example
 * ```ts
 * maskFindings('mail ann@x.io', [{ type: 'email', start: 5, end: 13 }], () => '[EMAIL]') // 'mail [EMAIL]'
 * ```
 */
export function maskFindings<TFinding extends { start: number; end: number }>(
  text: string,
  findings: readonly TFinding[],
  mask: (finding: TFinding) => string,
): string {
  let masked = ''
  let position = 0
  for (const finding of findings) {
    masked += text.slice(position, finding.start) + mask(finding)
    position = finding.end
  }
  return masked + text.slice(position)
}
