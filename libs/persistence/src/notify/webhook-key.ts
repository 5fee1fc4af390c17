import { ConfigError } from '@steward/config';
import { SecretBox } from './secret-box';
import { WebhookSubscriptionRepository } from './webhook-subscription.repository';

/**
 * The box for webhook signing secrets, checked at boot: null when webhooks are off (no key, no subscriptions).
 * Refuses to start when subscriptions exist but the key is missing, or the key does not open their secrets
 * (it was changed), since every one of their messages would otherwise end in dead letter.
 */
export async function openWebhookSecrets(key: string | undefined, subscriptions: WebhookSubscriptionRepository): Promise<SecretBox | null> {
  const live = await subscriptions.list(1);
  if (!key) {
    if (live.length > 0) {
      throw new ConfigError([
        `WEBHOOK_SECRET_KEY: required: webhook subscriptions exist and their signing secrets are encrypted with it (set the key they were made with)`,
      ]);
    }
    return null;
  }
  const box = SecretBox.fromKey(key);
  if (live.length > 0) {
    try {
      box.open(live[0].secretCiphertext);
    } catch {
      throw new ConfigError([`WEBHOOK_SECRET_KEY: does not decrypt the stored webhook secrets (was the key changed?)`]);
    }
  }
  return box;
}
