import { createHmac } from 'node:crypto';
import { signPayload, verifySignature } from './webhook-signature';

describe('Steward-Signature', () => {
  const secret = 'whsec_test';
  const body = '{"id":"1","type":"ping"}';

  it('is t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">, as Stripe signs', () => {
    const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    expect(signPayload(secret, body, 1_700_000_000)).toBe(`t=1700000000,v1=${expected}`);
  });

  it('verifies its own signature and refuses another body, another secret or a stale timestamp', () => {
    const header = signPayload(secret, body, 1_700_000_000);
    expect(verifySignature(secret, body, header, 1_700_000_010)).toBe(true);
    expect(verifySignature(secret, body.replace('ping', 'pong'), header, 1_700_000_010)).toBe(false);
    expect(verifySignature('whsec_other', body, header, 1_700_000_010)).toBe(false);
    expect(verifySignature(secret, body, header, 1_700_000_000 + 301)).toBe(false);
    expect(verifySignature(secret, body, 'garbage', 1_700_000_000)).toBe(false);
  });
});
