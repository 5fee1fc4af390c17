import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box';

describe('SecretBox (AES-256-GCM)', () => {
  const hexKey = randomBytes(32).toString('hex');

  it('opens what it sealed, and the sealed text does not contain the secret', () => {
    const box = SecretBox.fromKey(hexKey);
    const sealed = box.seal('whsec_abc');
    expect(sealed).not.toContain('whsec_abc');
    expect(box.open(sealed)).toBe('whsec_abc');
    expect(box.seal('whsec_abc')).not.toBe(sealed);
  });

  it('refuses another key and altered text', () => {
    const sealed = SecretBox.fromKey(hexKey).seal('whsec_abc');
    expect(() => SecretBox.fromKey(randomBytes(32).toString('base64')).open(sealed)).toThrow();
    const [v, iv, tag, ct] = sealed.split('.');
    const flipped = Buffer.from(ct, 'base64url');
    flipped[0] ^= 1;
    expect(() => SecretBox.fromKey(hexKey).open([v, iv, tag, flipped.toString('base64url')].join('.'))).toThrow();
  });

  it('takes 32 bytes as hex or base64 only', () => {
    expect(SecretBox.parseKey(randomBytes(32).toString('base64'))).toHaveLength(32);
    expect(SecretBox.parseKey(randomBytes(16).toString('hex'))).toBeNull();
    expect(() => SecretBox.fromKey('short')).toThrow(/WEBHOOK_SECRET_KEY must be 32 bytes/);
  });
});
