import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ChainVerdict, ChainVerifier } from './audit-chain';
import { ChunkFormat, ChunkResult, verifyChunk } from './chain-chunks';

/**
 * Verifies a stream of chunks (see chain-chunks.ts) on worker threads, and links their results up in order on
 * this thread. The chunks are handed over as transferred ArrayBuffers (no copy, no message per event); what
 * comes back is a few fields per chunk. Small inputs never start a thread: the first `inlineBytes` are checked
 * on this thread, and the threads are started only when there is more.
 */
export interface ParallelVerifyOptions {
  /** Worker threads (default: the machine's available parallelism, at most 4); 0 checks everything on this thread. */
  threads?: number;
  /** Bytes per chunk handed to a thread (default 1 MiB: about 2,000 events). */
  chunkBytes?: number;
  /** Bytes checked on this thread before any thread is started (default 4 MiB). */
  inlineBytes?: number;
}

export const DEFAULT_CHUNK_BYTES = 1 << 20;
const DEFAULT_INLINE_BYTES = 4 << 20;

/** The compiled worker; absent when running from TypeScript sources (ts under Jest), where everything runs in line. */
const WORKER_FILE = join(__dirname, 'verify-worker.js');
let workerFileExists: boolean | null = null;
const canStartThreads = (): boolean => (workerFileExists ??= existsSync(WORKER_FILE));

export function defaultVerifyThreads(): number {
  return Math.min(4, availableParallelism());
}

interface Pending {
  resolve: (r: ChunkResult) => void;
  reject: (e: Error) => void;
}

interface Lane {
  worker: Worker;
  pending: Map<number, Pending>;
}

/** A chunk to check: `length` bytes of `buffer` from `offset`. The buffer is transferred to a thread: do not touch it afterwards. */
export interface Chunk {
  buffer: ArrayBuffer;
  offset: number;
  length: number;
}

export function chunkOf(bytes: Buffer): Chunk {
  return { buffer: bytes.buffer as ArrayBuffer, offset: bytes.byteOffset, length: bytes.length };
}

class ChunkPool {
  private lanes: Lane[] = [];
  private seen = 0;
  private nextId = 0;
  private first = true;
  private failed: Error | null = null;

  constructor(
    private readonly format: ChunkFormat,
    private readonly threads: number,
    private readonly inlineBytes: number,
  ) {}

  /** Chunks in flight at most: two per thread keep every thread busy while this one links results up. */
  get depth(): number {
    return Math.max(1, this.lanes.length * 2);
  }

  submit(chunk: Chunk): Promise<ChunkResult> {
    const first = this.first;
    this.first = false;
    this.seen += chunk.length;
    if (this.failed) return Promise.reject(this.failed);
    if (this.threads === 0 || !canStartThreads() || (this.lanes.length === 0 && this.seen <= this.inlineBytes)) {
      return Promise.resolve(verifyChunk(this.format, Buffer.from(chunk.buffer, chunk.offset, chunk.length), first));
    }
    if (this.lanes.length === 0) this.start();
    const lane = this.lanes.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.nextId++;
    const result = new Promise<ChunkResult>((resolve, reject) => {
      lane.pending.set(id, { resolve, reject });
      lane.worker.postMessage({ id, format: this.format, first, buffer: chunk.buffer, offset: chunk.offset, length: chunk.length }, [chunk.buffer]);
    });
    // A thread that fails rejects every chunk it holds at once; the caller awaits them one by one (or not at all).
    result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    const lanes = this.lanes;
    this.lanes = [];
    await Promise.all(lanes.map((l) => l.worker.terminate()));
  }

  private start(): void {
    for (let i = 0; i < this.threads; i += 1) {
      const lane: Lane = { worker: new Worker(WORKER_FILE), pending: new Map() };
      const fail = (error: Error) => {
        this.failed ??= error;
        for (const p of lane.pending.values()) p.reject(error);
        lane.pending.clear();
      };
      lane.worker.on('message', (m: { id: number; result?: ChunkResult; error?: string }) => {
        const p = lane.pending.get(m.id);
        if (!p) return;
        lane.pending.delete(m.id);
        if (m.result) p.resolve(m.result);
        else p.reject(new Error(`audit verification thread: ${m.error}`));
      });
      lane.worker.on('error', fail);
      lane.worker.on('exit', (code) => {
        if (lane.pending.size > 0) fail(new Error(`audit verification thread exited (code ${code})`));
      });
      this.lanes.push(lane);
    }
  }
}

/** The verdict over chunks read in order, or 'unreadable' when a CSV chunk was (see ChunkResult.unreadable). */
export async function verifyChunkStream(
  chunks: AsyncIterable<Chunk>,
  format: ChunkFormat,
  { trustFirstLink = false, threads = defaultVerifyThreads(), inlineBytes = DEFAULT_INLINE_BYTES }: ParallelVerifyOptions & { trustFirstLink?: boolean } = {},
): Promise<ChainVerdict | 'unreadable'> {
  const pool = new ChunkPool(format, threads, inlineBytes);
  const inFlight: Promise<ChunkResult>[] = [];
  let verifier: ChainVerifier | null = trustFirstLink ? null : new ChainVerifier();
  /** Links one chunk's result to the chain so far: the verdict once it is known, else null. */
  const link = (r: ChunkResult): ChainVerdict | 'unreadable' | null => {
    if (r.unreadable) return 'unreadable';
    if (r.first !== null) {
      verifier ??= new ChainVerifier({ seq: (r.first.seq as number) - 1, hash: r.first.prevHash as string });
      if (!verifier.pushRun(r.first, r.verdict)) return verifier.verdict();
    }
    if (r.error) throw rebuild(r.error);
    return null;
  };
  try {
    for await (const chunk of chunks) {
      inFlight.push(pool.submit(chunk));
      while (inFlight.length >= pool.depth) {
        const stop = link(await inFlight.shift()!);
        if (stop) return stop;
      }
    }
    while (inFlight.length > 0) {
      const stop = link(await inFlight.shift()!);
      if (stop) return stop;
    }
    return (verifier ?? new ChainVerifier()).verdict();
  } finally {
    // Results still in flight after a verdict or an error are of no use; nobody waits for them.
    for (const p of inFlight) p.catch(() => undefined);
    await pool.close();
  }
}

/** An error read on another thread, as the same kind of error here (a SyntaxError stays one). */
function rebuild(e: { name: string; message: string }): Error {
  const Kind = ({ SyntaxError, TypeError, RangeError } as Record<string, ErrorConstructor | undefined>)[e.name] ?? Error;
  const error = new Kind(e.message);
  if (error.name !== e.name) error.name = e.name;
  return error;
}
