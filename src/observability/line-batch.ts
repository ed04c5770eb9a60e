/** Where a batch of log lines goes: pino's synchronous destination (sonic-boom) on stdout. */
export interface LineSink {
  write(text: string): unknown;
}

/**
 * Log lines gathered for a few milliseconds and written together: one write per line was a
 * system call per send (bench/README.md). A line waits at most `maxDelayMs`, or is written at
 * once when `maxLines` are waiting, so memory stays bounded and a quiet gateway's lines still
 * appear as they are logged. Order is kept: every line goes through here. A timer, not
 * setImmediate: a pending immediate made the gateway slower than writing each line (measured).
 * `flushSync` writes what waits; the logger calls it on exit.
 */
export class LineBatch {
  private pending: string[] = [];
  private scheduled = false;

  constructor(
    private readonly sink: LineSink,
    private readonly maxLines = 256,
    private readonly maxDelayMs = 5,
  ) {}

  write(line: string): boolean {
    this.pending.push(line);
    if (this.pending.length >= this.maxLines) this.flushSync();
    else if (!this.scheduled) {
      this.scheduled = true;
      setTimeout(this.flushScheduled, this.maxDelayMs).unref();
    }
    return true;
  }

  /** pino's `logger.flush(cb)`. */
  flush(cb?: (err?: Error) => void): void {
    this.flushSync();
    cb?.();
  }

  flushSync(): void {
    const lines = this.pending;
    if (lines.length === 0) return;
    this.pending = [];
    this.sink.write(lines.length === 1 ? lines[0]! : lines.join(""));
  }

  private readonly flushScheduled = (): void => {
    this.scheduled = false;
    this.flushSync();
  };
}
