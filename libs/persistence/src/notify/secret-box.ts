import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Webhook signing secrets are kept encrypted with AES-256-GCM under WEBHOOK_SECRET_KEY: a copy of the database
 * alone does not let anyone forge Steward's signatures. Stored as `v1.<iv>.<tag>.<ciphertext>` (base64url).
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /** The key: 32 bytes, given as 64 hex digits or base64 (44 characters). Null when it is not one. */
  static parseKey(value: string): Buffer | null {
    const v = value.trim();
    if (/^[0-9a-fA-F]{64}$/.test(v)) return Buffer.from(v, 'hex');
    if (/^[A-Za-z0-9+/_-]{43}=?$/.test(v)) {
      const b = Buffer.from(v.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
      return b.length === 32 ? b : null;
    }
    return null;
  }

  static fromKey(value: string): SecretBox {
    const key = SecretBox.parseKey(value);
    if (!key) throw new Error('WEBHOOK_SECRET_KEY must be 32 bytes: 64 hex digits or 44 base64 characters');
    return new SecretBox(key);
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
  }

  /** Throws when the text was not sealed with this key (or was altered). */
  open(sealed: string): string {
    const [version, iv, tag, ct] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || ct === undefined) throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }
}
