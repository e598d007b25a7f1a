/**
 * Keeps the first and the last bytes of a stream, never more than `limit` bytes in memory:
 * the first half of the limit as written, the second half as a ring buffer of the latest bytes.
 */
export class HeadTailCapture {
  private readonly head: Buffer;
  private headLength = 0;
  private readonly tail: Buffer;
  /** Next write position in the ring, and how many bytes of the ring are filled. */
  private tailStart = 0;
  private tailLength = 0;
  private total = 0;

  constructor(readonly limit: number) {
    const headSize = Math.floor(limit / 2);
    this.head = Buffer.allocUnsafe(headSize);
    this.tail = Buffer.allocUnsafe(limit - headSize);
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    let rest = chunk;
    if (this.headLength < this.head.length) {
      const n = Math.min(rest.length, this.head.length - this.headLength);
      rest.copy(this.head, this.headLength, 0, n);
      this.headLength += n;
      rest = rest.subarray(n);
    }
    const size = this.tail.length;
    if (rest.length === 0 || size === 0) return;
    if (rest.length >= size) {
      rest.copy(this.tail, 0, rest.length - size);
      this.tailStart = 0;
      this.tailLength = size;
      return;
    }
    const first = Math.min(rest.length, size - this.tailStart);
    rest.copy(this.tail, this.tailStart, 0, first);
    rest.copy(this.tail, 0, first);
    this.tailStart = (this.tailStart + rest.length) % size;
    this.tailLength = Math.min(size, this.tailLength + rest.length);
  }

  get bytesWritten(): number {
    return this.total;
  }

  get truncated(): boolean {
    return this.total > this.headLength + this.tailLength;
  }

  private tailBytes(): Buffer {
    if (this.tailLength < this.tail.length) return this.tail.subarray(0, this.tailLength);
    return Buffer.concat([this.tail.subarray(this.tailStart), this.tail.subarray(0, this.tailStart)]);
  }

  /** Everything, or head + `…[N bytes truncated]…` line + tail. */
  text(): string {
    const head = this.head.subarray(0, this.headLength).toString('utf8');
    const tail = this.tailBytes().toString('utf8');
    if (!this.truncated) return head + tail;
    const dropped = this.total - this.headLength - this.tailLength;
    return `${head}\n…[${dropped} bytes truncated]…\n${tail}`;
  }
}
