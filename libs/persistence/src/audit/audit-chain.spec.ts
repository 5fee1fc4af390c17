import { createHash } from 'node:crypto';
import { AuditEvent, AuditPayload, auditPayload, ChainVerifier, ChainVerdict, chainHash, GENESIS_HASH } from './audit-chain';

/** The reference: hex(SHA-256(prevHash + canonical JSON)), computed here without the code under test. */
function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

describe('GENESIS_HASH', () => {
  it('is 64 zeros', () => {
    expect(GENESIS_HASH).toBe('0000000000000000000000000000000000000000000000000000000000000000');
  });
});

describe('chainHash', () => {
  // Keys deliberately not in sorted order.
  const simplePayload: AuditPayload = {
    workflowId: 'wf-1',
    seq: 1,
    id: 'evt-1',
    toStatus: 'pending_approval',
    at: '2026-01-02T03:04:05.000Z',
    runId: 'run-1',
    caseType: 'change_request',
    fromStatus: null,
    caseId: 'cr-1',
    data: {},
    actorId: 'alice',
    action: 'submitted',
  };
  const simpleJcs =
    '{"action":"submitted","actorId":"alice","at":"2026-01-02T03:04:05.000Z","caseId":"cr-1","caseType":"change_request",' +
    '"data":{},"fromStatus":null,"id":"evt-1","runId":"run-1","seq":1,"toStatus":"pending_approval","workflowId":"wf-1"}';

  it('hashes the genesis hash followed by the payload in canonical JSON', () => {
    expect(chainHash(GENESIS_HASH, simplePayload)).toBe(sha256Hex(GENESIS_HASH + simpleJcs));
  });

  it('matches a fixed test vector', () => {
    expect(chainHash(GENESIS_HASH, simplePayload)).toBe('8bf389998bf2878fe2f10670a8aa2657b4c1cedf83a7d55be60a7a18ca497d5b');
  });

  it('does not depend on the order the payload keys were written in', () => {
    const reordered = Object.fromEntries(Object.entries(simplePayload).reverse()) as AuditPayload;
    expect(chainHash(GENESIS_HASH, reordered)).toBe(chainHash(GENESIS_HASH, simplePayload));
  });

  it('depends on the previous hash', () => {
    const prev = 'ab'.repeat(32);
    expect(chainHash(prev, simplePayload)).toBe(sha256Hex(prev + simpleJcs));
    expect(chainHash(prev, simplePayload)).not.toBe(chainHash(GENESIS_HASH, simplePayload));
  });

  it('serializes nested data, unicode and numbers as RFC 8785 prescribes', () => {
    const payload: AuditPayload = {
      ...simplePayload,
      seq: 7,
      data: {
        title: 'Caf\u00e9 \u2615 \ud83d\ude80 "quoted" back\\slash\nnewline\u001f',
        ratio: 1.5,
        big: 1e21, // ECMAScript Number serialization: "1e+21"
        tiny: 1e-7, // "1e-7"
        hundred: 1e2, // "100"
        negativeZero: -0, // "0"
        nested: { z: [3, 'two', null, false], a: true, m: { y: 1, b: 2 } },
        // RFC 8785 §3.2.3: keys sort by UTF-16 code units, so U+1F600 (D83D DE00) sorts before U+FB33.
        '\u20ac': 'euro',
        '\ud83d\ude00': 'smile',
        '\ufb33': 'dalet',
        '\r': 'cr',
        '1': 'one',
        '\u00f6': 'o-umlaut',
        '\u0080': 'c1',
      },
    };
    // Non-ASCII is written as \u escapes only in this source file (so no editor normalizes it); JCS emits it
    // as raw UTF-8, while `\\u001f` etc. below are the JSON escapes JCS must produce for control characters.
    const expectedData =
      '{"\\r":"cr","1":"one","big":1e+21,"hundred":100,"negativeZero":0,' +
      '"nested":{"a":true,"m":{"b":2,"y":1},"z":[3,"two",null,false]},' +
      '"ratio":1.5,"tiny":1e-7,"title":"Caf\u00e9 \u2615 \ud83d\ude80 \\"quoted\\" back\\\\slash\\nnewline\\u001f",' +
      '"\u0080":"c1","\u00f6":"o-umlaut","\u20ac":"euro","\ud83d\ude00":"smile","\ufb33":"dalet"}';
    const expectedJcs =
      '{"action":"submitted","actorId":"alice","at":"2026-01-02T03:04:05.000Z","caseId":"cr-1","caseType":"change_request",' +
      `"data":${expectedData},"fromStatus":null,"id":"evt-1","runId":"run-1","seq":7,"toStatus":"pending_approval","workflowId":"wf-1"}`;

    expect(chainHash(GENESIS_HASH, payload)).toBe(sha256Hex(GENESIS_HASH + expectedJcs));
  });

  it('refuses data that has no canonical form', () => {
    expect(() => chainHash(GENESIS_HASH, { ...simplePayload, data: { n: Number.NaN } })).toThrow();
  });
});

describe('auditPayload', () => {
  it('drops prevHash and hash and keeps every hashed field', () => {
    const [event] = buildChain(1);
    const { prevHash: _prevHash, hash: _hash, ...rest } = event;
    expect(auditPayload(event)).toEqual(rest);
  });
});

/** A well-formed chain of `length` events, each hashed over the previous one. */
function buildChain(length: number): AuditEvent[] {
  const events: AuditEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= length; seq += 1) {
    const payload: AuditPayload = {
      seq,
      id: `00000000-0000-4000-8000-00000000000${seq}`,
      at: `2026-03-0${seq}T10:00:00.000Z`,
      caseType: 'change_request',
      caseId: 'cr-42',
      actorId: seq === 1 ? 'alice' : 'bob',
      action: seq === 1 ? 'submitted' : 'approval_decision',
      fromStatus: seq === 1 ? null : 'pending_approval',
      toStatus: 'pending_approval',
      data: { step: seq, note: `event ${seq}` },
      workflowId: 'change-request-cr-42',
      runId: 'run-1',
    };
    const hash = chainHash(prevHash, payload);
    events.push({ ...payload, prevHash, hash });
    prevHash = hash;
  }
  return events;
}

function verify(events: AuditEvent[], verifier = new ChainVerifier()): ChainVerdict {
  for (const event of events) verifier.push(event);
  return verifier.verdict();
}

describe('ChainVerifier', () => {
  it('accepts a valid chain of 5 events and reports its head', () => {
    const chain = buildChain(5);
    expect(verify(chain)).toEqual({ ok: true, checked: 5, headSeq: 5, headHash: chain[4].hash });
  });

  it('reports an empty chain as ok at the genesis hash', () => {
    expect(verify([])).toEqual({ ok: true, checked: 0, headSeq: 0, headHash: GENESIS_HASH });
  });

  it('detects an event whose data was modified', () => {
    const chain = buildChain(5);
    chain[2] = { ...chain[2], data: { ...chain[2].data, note: 'rewritten' } };
    const verdict = verify(chain);
    expect(verdict).toMatchObject({ ok: false, firstBadSeq: 3, checked: 2 });
    expect(verdict.ok === false && verdict.reason).toMatch(/hash/);
  });

  it('detects an event whose actor was modified', () => {
    const chain = buildChain(5);
    chain[3] = { ...chain[3], actorId: 'mallory' };
    expect(verify(chain)).toMatchObject({ ok: false, firstBadSeq: 4 });
  });

  it('detects an event whose stored hash was recomputed after an edit, at the next event', () => {
    const chain = buildChain(5);
    const edited = { ...chain[1], data: { note: 'rewritten' } };
    chain[1] = { ...edited, hash: chainHash(edited.prevHash, auditPayload(edited)) };
    const verdict = verify(chain);
    expect(verdict).toMatchObject({ ok: false, firstBadSeq: 3, checked: 2 });
    expect(verdict.ok === false && verdict.reason).toMatch(/prevHash/);
  });

  it('detects an inserted event carrying an extra seq, even when its own hash links correctly', () => {
    const chain = buildChain(5);
    const forgedPayload = { ...auditPayload(chain[2]), id: 'forged', data: { note: 'inserted' } };
    const forged: AuditEvent = { ...forgedPayload, prevHash: chain[1].hash, hash: chainHash(chain[1].hash, forgedPayload) };
    const tampered = [chain[0], chain[1], forged, ...chain.slice(2)];
    const verdict = verify(tampered);
    // The forged seq 3 links to seq 2, so the break shows at the genuine seq 3 that follows it.
    expect(verdict).toMatchObject({ ok: false, firstBadSeq: 3, checked: 3 });
    expect(verdict.ok === false && verdict.reason).toBe('expected seq 4, found 3');
  });

  it('detects an inserted event when the later events were renumbered to make room', () => {
    const chain = buildChain(5);
    const forgedPayload = { ...auditPayload(chain[2]), id: 'forged' };
    const forged: AuditEvent = { ...forgedPayload, prevHash: chain[1].hash, hash: chainHash(chain[1].hash, forgedPayload) };
    const renumbered = chain.slice(2).map((e) => ({ ...e, seq: e.seq + 1 }));
    const verdict = verify([chain[0], chain[1], forged, ...renumbered]);
    expect(verdict).toMatchObject({ ok: false, firstBadSeq: 4 });
  });

  it('detects a deleted event at the event after the gap', () => {
    const chain = buildChain(5);
    const verdict = verify([chain[0], chain[1], chain[3], chain[4]]);
    expect(verdict).toMatchObject({ ok: false, firstBadSeq: 4, checked: 2 });
    expect(verdict.ok === false && verdict.reason).toBe('expected seq 3, found 4');
  });

  it('detects a deleted first event', () => {
    const chain = buildChain(5);
    expect(verify(chain.slice(1))).toMatchObject({ ok: false, firstBadSeq: 2, checked: 0 });
  });

  it('detects two swapped events', () => {
    const chain = buildChain(5);
    const verdict = verify([chain[0], chain[2], chain[1], chain[3], chain[4]]);
    expect(verdict).toMatchObject({ ok: false, firstBadSeq: 3, checked: 1 });
  });

  it('detects two events whose contents were swapped but whose seq numbers were kept', () => {
    const chain = buildChain(5);
    const swapped = [chain[0], { ...chain[2], seq: 2 }, { ...chain[1], seq: 3 }, chain[3], chain[4]];
    expect(verify(swapped)).toMatchObject({ ok: false, firstBadSeq: 2, checked: 1 });
  });

  it('ignores events after the first break and keeps reporting the first one', () => {
    const chain = buildChain(5);
    const verifier = new ChainVerifier();
    expect(verifier.push(chain[0])).toBe(true);
    expect(verifier.push(chain[2])).toBe(false);
    expect(verifier.push(chain[1])).toBe(false);
    expect(verifier.verdict()).toMatchObject({ ok: false, firstBadSeq: 3, checked: 1 });
  });

  it('verifies from the middle of a chain when given the event before the first one fed', () => {
    const chain = buildChain(5);
    const verifier = new ChainVerifier({ seq: chain[1].seq, hash: chain[1].hash });
    expect(verify(chain.slice(2), verifier)).toEqual({ ok: true, checked: 3, headSeq: 5, headHash: chain[4].hash });
  });

  it('rejects a mid-chain start whose hash is not the previous event', () => {
    const chain = buildChain(5);
    const verifier = new ChainVerifier({ seq: 2, hash: chain[0].hash });
    expect(verify(chain.slice(2), verifier)).toMatchObject({ ok: false, firstBadSeq: 3 });
  });
});
