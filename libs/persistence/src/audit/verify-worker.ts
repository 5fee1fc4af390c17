import { parentPort } from 'node:worker_threads';
import { ChunkFormat, verifyChunk } from './chain-chunks';

/** A worker thread of chunk-pool.ts: checks the chunks it is handed, one at a time, and answers with their results. */
interface ChunkMessage {
  id: number;
  format: ChunkFormat;
  first: boolean;
  buffer: ArrayBuffer;
  offset: number;
  length: number;
}

parentPort?.on('message', (m: ChunkMessage) => {
  try {
    const result = verifyChunk(m.format, Buffer.from(m.buffer, m.offset, m.length), m.first);
    parentPort?.postMessage({ id: m.id, result });
  } catch (err) {
    parentPort?.postMessage({ id: m.id, error: err instanceof Error ? err.message : String(err) });
  }
});
