/** One entry read back from a {@link RunArena}: its numbers and its text, as written. */
export interface ArenaEntry {
  numbers: Float64Array
  text: string
}

/** A chunk of arena memory and two views on it (numbers are 8-byte aligned). */
interface Chunk {
  bytes: Uint8Array
  words: Uint32Array
  floats: Float64Array
}

const noNumbers: readonly number[] = []

/**
 * Numbers and text kept outside the JavaScript heap, in typed-array chunks, addressed by a plain
 * number. The memory store keeps ended runs here. Objects that outlive a young-generation
 * collection make V8 grow its young generation (and the process's RSS) by as many bytes as
 * survive, cumulatively; a run's history written here as bytes, and its objects left to die,
 * survives as nothing but a number. Numbers are kept as float64 (cheaper to write than to print
 * as JSON), text as UTF-8.
 *
 * A chunk whose entries are all freed is kept for the next chunk (one spare): its memory is
 * reused at once instead of waiting for a full garbage collection to return it.
 */
export class RunArena {
  private readonly chunks: (Chunk | undefined)[] = []
  /** Live entries per chunk: a chunk is released when its last entry is freed. */
  private readonly live: number[] = []
  private readonly freeIndexes: number[] = []
  private spare: Chunk | undefined = undefined
  private current = -1
  private position = 0
  private readonly encoder = new TextEncoder()
  private readonly decoder = new TextDecoder()

  /** Bytes per shared chunk (rounded up to a multiple of 8). */
  private readonly chunkSize: number

  constructor(chunkSize = 1 << 18) {
    this.chunkSize = align(chunkSize)
  }

  /** Stores `numbers` and `text`; returns the entry's handle. */
  write(text: string, numbers: readonly number[] = noNumbers): number {
    // Header (text bytes, number count), the numbers, then UTF-8: at most 3 bytes per UTF-16 unit.
    const worst = align(8 + numbers.length * 8 + text.length * 3)
    if (this.current === -1 || this.position + worst > this.chunkSize) {
      if (worst > this.chunkSize) {
        // Too big for a shared chunk: a chunk of its own, addressed at offset 0.
        const index = this.newChunk(worst)
        this.put(index, 0, text, numbers)
        return index * chunkSpan
      }
      // Leaving the current chunk: release it if nothing in it is live any more.
      if (this.current !== -1 && this.live[this.current] === 0) this.release(this.current)
      this.current = this.newChunk(this.chunkSize)
      this.position = 0
    }
    const offset = this.position
    this.position += this.put(this.current, offset, text, numbers)
    return this.current * chunkSpan + offset
  }

  read(handle: number): ArenaEntry {
    const index = Math.floor(handle / chunkSpan)
    const offset = handle - index * chunkSpan
    const chunk = this.chunks[index]!
    const length = chunk.words[offset / 4]!
    const count = chunk.words[offset / 4 + 1]!
    const start = offset + 8 + count * 8
    return {
      numbers: chunk.floats.slice((offset + 8) / 8, (offset + 8) / 8 + count),
      text: this.decoder.decode(chunk.bytes.subarray(start, start + length)),
    }
  }

  free(handle: number): void {
    const index = Math.floor(handle / chunkSpan)
    if (--this.live[index]! > 0 || index === this.current) return
    this.release(index)
  }

  private release(index: number): void {
    const chunk = this.chunks[index]!
    if (this.spare === undefined && chunk.bytes.byteLength === this.chunkSize) this.spare = chunk
    this.chunks[index] = undefined
    this.freeIndexes.push(index)
  }

  /** Bytes held, the spare chunk included (for tests and diagnostics). */
  get bytes(): number {
    let total = this.spare?.bytes.byteLength ?? 0
    for (const chunk of this.chunks) total += chunk?.bytes.byteLength ?? 0
    return total
  }

  private newChunk(size: number): number {
    const index = this.freeIndexes.pop() ?? this.chunks.length
    let chunk = size === this.chunkSize ? this.spare : undefined
    if (chunk) this.spare = undefined
    else {
      const buffer = new ArrayBuffer(size)
      chunk = {
        bytes: new Uint8Array(buffer),
        words: new Uint32Array(buffer),
        floats: new Float64Array(buffer),
      }
    }
    this.chunks[index] = chunk
    this.live[index] = 0
    return index
  }

  /** Writes the header, the numbers and the text at `offset`; returns the bytes used (aligned). */
  private put(index: number, offset: number, text: string, numbers: readonly number[]): number {
    const chunk = this.chunks[index]!
    const first = (offset + 8) / 8
    for (let at = 0; at < numbers.length; at++) chunk.floats[first + at] = numbers[at]!
    const start = offset + 8 + numbers.length * 8
    const { written } = this.encoder.encodeInto(text, chunk.bytes.subarray(start))
    chunk.words[offset / 4] = written
    chunk.words[offset / 4 + 1] = numbers.length
    this.live[index]!++
    return align(start + written - offset)
  }
}

/** Handles are `chunk index × chunkSpan + offset`: shared chunks are smaller than this. */
const chunkSpan = 2 ** 24

/** Rounds up to a multiple of 8 (entries start 8-byte aligned, for their float64 numbers). */
const align = (bytes: number): number => (bytes + 7) & ~7
