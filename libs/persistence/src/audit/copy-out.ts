import type { Connection, PoolClient, Submittable } from 'pg';
import { Chunk, chunkOf } from './chunk-pool';

/**
 * `COPY (...) TO STDOUT` on a pg client, read as chunks of whole rows: Postgres sends each row as one CopyData
 * message, whose payload is appended to the current chunk; a chunk is handed out once it holds `chunkBytes`.
 * No object per row or per field is made (pg's parser still makes one per message). Reading pauses the
 * socket while two chunks wait to be taken, so memory stays bounded whatever the size of the table.
 *
 * A COPY cannot be stopped half-way on a connection that is to be used again: a caller that stops early must
 * call `abandon()` and then discard the connection (`client.release(error)`).
 */
export class CopyOut implements Submittable {
  private buf: Buffer;
  private used = 0;
  private readonly ready: Buffer[] = [];
  private done = false;
  private error: Error | null = null;
  private wake: (() => void) | null = null;
  private connection: Connection | null = null;
  private paused = false;
  private abandoned = false;

  constructor(
    private readonly text: string,
    private readonly chunkBytes: number,
  ) {
    this.buf = Buffer.allocUnsafeSlow(chunkBytes);
  }

  /** Runs the COPY on `client` and yields its rows in chunks. */
  static run(client: PoolClient, text: string, chunkBytes: number): CopyOut {
    const copy = new CopyOut(text, chunkBytes);
    void client.query(copy);
    return copy;
  }

  async *chunks(): AsyncGenerator<Chunk> {
    for (;;) {
      const next = this.ready.shift();
      if (next) {
        if (this.paused && this.ready.length < 2) {
          this.paused = false;
          this.connection?.stream.resume();
        }
        yield chunkOf(next);
        continue;
      }
      if (this.error) throw this.error;
      if (this.done) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** Whether the COPY has ended (every row read, or an error). */
  get finished(): boolean {
    return this.done;
  }

  /** Stops collecting rows (the rest of the COPY still arrives until the connection is closed). */
  abandon(): void {
    this.abandoned = true;
    this.ready.length = 0;
    if (this.paused) this.connection?.stream.resume();
  }

  // pg's Submittable protocol.

  submit(connection: Connection): void {
    this.connection = connection;
    connection.query(this.text);
  }

  handleCopyData(msg: { chunk: Buffer }): void {
    if (this.abandoned) return;
    const data = msg.chunk;
    if (this.used + data.length > this.buf.length) this.flush(data.length);
    // The message is a view of pg's read buffer, which is reused: copy it now.
    data.copy(this.buf, this.used);
    this.used += data.length;
    if (this.used >= this.chunkBytes) this.flush(0);
  }

  handleCommandComplete(): void {}

  handleReadyForQuery(): void {
    if (this.error === null) this.flush(0);
    this.done = true;
    this.notify();
  }

  handleError(error: Error): void {
    this.error ??= error;
    this.done = true;
    this.notify();
  }

  handleRowDescription(): void {}
  handleDataRow(): void {}
  handlePortalSuspended(): void {}
  handleEmptyQuery(): void {}
  handleCopyInResponse(): void {
    this.handleError(new Error('COPY FROM is not supported here'));
  }

  /** Hands out the current chunk (if any) and starts one with room for at least `room` bytes. */
  private flush(room: number): void {
    if (this.used > 0 && !this.abandoned) {
      this.ready.push(this.buf.subarray(0, this.used));
      this.buf = Buffer.allocUnsafeSlow(Math.max(this.chunkBytes, room));
      this.used = 0;
      if (this.ready.length >= 2 && !this.paused && this.connection) {
        this.paused = true;
        this.connection.stream.pause();
      }
    } else if (room > this.buf.length) {
      this.buf = Buffer.allocUnsafeSlow(Math.max(this.chunkBytes, room));
    }
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
