/**
 * Text kept outside the JavaScript heap: UTF-8 bytes in typed-array chunks, addressed by a plain
 * number. The memory store keeps ended runs here. Objects that outlive a young-generation
 * collection make V8 grow its young generation (and the process's RSS) by as many bytes as
 * survive, cumulatively; a run's history written here as bytes, and its objects left to die,
 * survives as nothing but a number.
 */
export class RunArena {
  private readonly chunks: (Uint8Array | undefined)[] = []
  /** Live entries per chunk: a chunk is released when its last entry is freed. */
  private readonly live: number[] = []
  private readonly freeIndexes: number[] = []
  private current = -1
  private position = 0
  private readonly encoder = new TextEncoder()
  private readonly decoder = new TextDecoder()

  constructor(private readonly chunkSize = 1 << 20) {}

  /** Stores `text`; returns its handle. */
  write(text: string): number {
    // UTF-8 takes at most 3 bytes per UTF-16 unit; +4 for the length prefix.
    const worst = text.length * 3 + 4
    if (this.current === -1 || this.position + worst > this.chunkSize) {
      if (worst > this.chunkSize) {
        // Too big for a shared chunk: a chunk of its own, addressed at offset 0.
        const index = this.newChunk(worst)
        this.put(index, 0, text)
        return index * chunkSpan
      }
      // Leaving the current chunk: release it if nothing in it is live any more.
      if (this.current !== -1 && this.live[this.current] === 0) this.release(this.current)
      this.current = this.newChunk(this.chunkSize)
      this.position = 0
    }
    const offset = this.position
    this.position += this.put(this.current, offset, text)
    return this.current * chunkSpan + offset
  }

  read(handle: number): string {
    const index = Math.floor(handle / chunkSpan)
    const offset = handle - index * chunkSpan
    const chunk = this.chunks[index]!
    const length =
      chunk[offset]! |
      (chunk[offset + 1]! << 8) |
      (chunk[offset + 2]! << 16) |
      (chunk[offset + 3]! * 0x1000000)
    return this.decoder.decode(chunk.subarray(offset + 4, offset + 4 + length))
  }

  free(handle: number): void {
    const index = Math.floor(handle / chunkSpan)
    if (--this.live[index]! > 0 || index === this.current) return
    this.release(index)
  }

  private release(index: number): void {
    this.chunks[index] = undefined
    this.freeIndexes.push(index)
  }

  /** Bytes held (for tests and diagnostics). */
  get bytes(): number {
    let total = 0
    for (const chunk of this.chunks) total += chunk?.byteLength ?? 0
    return total
  }

  private newChunk(size: number): number {
    const index = this.freeIndexes.pop() ?? this.chunks.length
    this.chunks[index] = new Uint8Array(size)
    this.live[index] = 0
    return index
  }

  /** Writes the length prefix and the bytes; returns the bytes used. */
  private put(index: number, offset: number, text: string): number {
    const chunk = this.chunks[index]!
    const { written } = this.encoder.encodeInto(text, chunk.subarray(offset + 4))
    chunk[offset] = written & 0xff
    chunk[offset + 1] = (written >>> 8) & 0xff
    chunk[offset + 2] = (written >>> 16) & 0xff
    chunk[offset + 3] = (written >>> 24) & 0xff
    this.live[index]!++
    return written + 4
  }
}

/** Handles are `chunk index × chunkSpan + offset`: shared chunks are smaller than this. */
const chunkSpan = 2 ** 24
