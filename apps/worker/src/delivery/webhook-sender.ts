import { signPayload, SIGNATURE_HEADER } from '@steward/persistence';
import type { OutboxRow } from '@steward/persistence';

/** A receiver that answered, but not with 2xx. */
export class WebhookRefused extends Error {
  constructor(readonly statusCode: number) {
    super(`receiver answered ${statusCode}`);
  }
}

/** The JSON every webhook carries: the same bytes on every attempt; `id` is the idempotency id. */
export function webhookBody(row: Pick<OutboxRow, 'id' | 'eventType' | 'createdAt' | 'payload'>): string {
  const p = row.payload as { type?: string; data?: unknown };
  return JSON.stringify({ id: row.id, type: p.type ?? row.eventType, createdAt: row.createdAt.toISOString(), data: p.data ?? {} });
}

/** POSTs one signed message; resolves with the status on 2xx, throws otherwise. */
export async function sendWebhook(url: string, secret: string, row: OutboxRow, signal: AbortSignal, now = Date.now()): Promise<number> {
  const body = webhookBody(row);
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'User-Agent': 'Steward-Webhooks/1',
      [SIGNATURE_HEADER]: signPayload(secret, body, Math.floor(now / 1000)),
      'Idempotency-Key': row.id,
      'Steward-Event-Type': row.eventType,
    },
    body,
    signal,
    redirect: 'manual',
  });
  // Drain the body so the connection can be reused.
  await res.arrayBuffer().catch(() => undefined);
  if (res.status < 200 || res.status > 299) throw new WebhookRefused(res.status);
  return res.status;
}
