import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditEvent } from './audit-chain';
import { readAuditExport, readAuditExportBatches } from './audit-file';

describe('readAuditExport (JSON lines)', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'steward-audit-file-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const event = (seq: number, note: string) => ({ seq, note }) as unknown as AuditEvent;
  const read = async (text: string): Promise<unknown[]> => {
    const file = join(dir, `export-${Math.random().toString(36).slice(2)}.jsonl`);
    writeFileSync(file, text);
    const out: unknown[] = [];
    for await (const e of readAuditExport(file)) out.push(e);
    return out;
  };

  it('reads LF, CRLF and CR line ends, skips blank lines, and reads a last line without an end', async () => {
    const lines = [1, 2, 3, 4].map((n) => JSON.stringify(event(n, `n${n}`)));
    expect(await read(`${lines[0]}\n${lines[1]}\r\n\n   \r\n${lines[2]}\r${lines[3]}`)).toEqual([1, 2, 3, 4].map((n) => event(n, `n${n}`)));
  });

  it('keeps multi-byte characters and lines whole across read chunks (1 MiB each)', async () => {
    // About 3.5 MiB of lines made of 4-byte and 3-byte characters, so chunks end inside characters and lines.
    const events = Array.from({ length: 4000 }, (_, i) => event(i + 1, `${'\ud83d\ude80\u20ac'.repeat(100 + (i % 37))} ${i}`));
    const text = events.map((e) => JSON.stringify(e)).join('\r\n');
    expect(Buffer.byteLength(text)).toBeGreaterThan(3 * 2 ** 20);
    expect(await read(text)).toEqual(events);
    const file = join(dir, 'batches.jsonl');
    writeFileSync(file, `${text}\n`);
    const sizes: number[] = [];
    for await (const batch of readAuditExportBatches(file)) sizes.push(batch.length);
    expect(sizes.length).toBeGreaterThan(1);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(4000);
  });

  it('fails on a line that is not JSON', async () => {
    await expect(read(`${JSON.stringify(event(1, 'ok'))}\n{"seq":2,\n`)).rejects.toThrow(SyntaxError);
  });
});
