/** A part of the original text and where it sits in the redacted text. */
interface Segment {
  /** Copied verbatim (true), or a placeholder standing for a finding (false). */
  verbatim: boolean
  originalStart: number
  originalEnd: number
  redactedStart: number
  redactedEnd: number
}

/** A text with findings replaced, and the way back from the redacted text to the original. */
export interface RedactionPlan {
  /** The text with every finding replaced by its placeholder. */
  redacted: string
  /**
   * Where a span of the redacted text is in the original: one span per verbatim part it covers
   * (placeholders inside it are skipped), each trimmed of surrounding spaces and punctuation.
   */
  toOriginal(start: number, end: number): { start: number; end: number }[]
}

/**
 * Replaces findings (sorted, not overlapping) by placeholders and remembers, segment by segment,
 * where each part of the redacted text came from. The model reads `redacted`; positions it
 * points at are mapped back to the original with `toOriginal`.
 *
 * @example
 * ```ts
 * const plan = planRedaction('Ann: ann@x.io', [{ type: 'email', start: 5, end: 13 }], () => '[EMAIL]')
 * plan.redacted // 'Ann: [EMAIL]'
 * plan.toOriginal(0, 3) // [{ start: 0, end: 3 }]
 * ```
 */
export function planRedaction<TFinding extends { start: number; end: number }>(
  text: string,
  findings: readonly TFinding[],
  placeholder: (finding: TFinding) => string,
): RedactionPlan {
  const segments: Segment[] = []
  let redacted = ''
  let position = 0
  const push = (verbatim: boolean, originalStart: number, originalEnd: number, piece: string) => {
    segments.push({
      verbatim,
      originalStart,
      originalEnd,
      redactedStart: redacted.length,
      redactedEnd: redacted.length + piece.length,
    })
    redacted += piece
  }
  for (const finding of findings) {
    if (finding.start > position)
      push(true, position, finding.start, text.slice(position, finding.start))
    push(false, finding.start, finding.end, placeholder(finding))
    position = finding.end
  }
  if (position < text.length) push(true, position, text.length, text.slice(position))

  return {
    redacted,
    toOriginal(start, end) {
      const spans: { start: number; end: number }[] = []
      for (const segment of segments) {
        if (!segment.verbatim || segment.redactedEnd <= start || segment.redactedStart >= end)
          continue
        let from = segment.originalStart + Math.max(0, start - segment.redactedStart)
        let to = segment.originalStart + Math.min(segment.redactedEnd, end) - segment.redactedStart
        while (from < to && /[\s,;:]/.test(text[from]!)) from++
        while (to > from && /[\s,;:]/.test(text[to - 1]!)) to--
        if (to > from) spans.push({ start: from, end: to })
      }
      return spans
    },
  }
}
