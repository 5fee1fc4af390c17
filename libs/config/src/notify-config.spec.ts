import { ConfigError, loadConfig } from './steward-config';

const problems = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (e) {
    return (e as ConfigError).problems;
  }
};

describe('notification configuration', () => {
  it('runs without SMTP or webhooks (in-app only) by default', () => {
    const c = loadConfig({});
    expect(c.SMTP_URL).toBeUndefined();
    expect(c.WEBHOOK_SECRET_KEY).toBeUndefined();
    expect(c.NOTIFY_MAX_ATTEMPTS).toBe(8);
    expect(c.publicUrl).toBe('http://localhost:3000');
  });

  it('refuses a malformed SMTP_URL without echoing it (it may hold a password)', () => {
    const [p] = problems({ SMTP_URL: 'http://user:hunter2@mail.example.com' });
    expect(p).toMatch(/^SMTP_URL: SMTP_URL must start with smtp:\/\/ or smtps:\/\//);
    expect(p).not.toContain('hunter2');
    expect(problems({ SMTP_URL: 'not a url' })[0]).toMatch(/^SMTP_URL: SMTP_URL is not a URL/);
    expect(problems({ SMTP_URL: 'smtps://user:pw@mail.example.com:465' })).toEqual([]);
  });

  it('refuses a WEBHOOK_SECRET_KEY that is not 32 bytes', () => {
    expect(problems({ WEBHOOK_SECRET_KEY: 'too-short' })[0]).toMatch(/^WEBHOOK_SECRET_KEY: WEBHOOK_SECRET_KEY must be 32 random bytes/);
    expect(problems({ WEBHOOK_SECRET_KEY: 'ab'.repeat(32) })).toEqual([]);
  });

  it('refuses an unknown time zone and a bad poll interval', () => {
    expect(problems({ NOTIFY_TIME_ZONE: 'Mars/Olympus' })[0]).toMatch(/^NOTIFY_TIME_ZONE: NOTIFY_TIME_ZONE must be an IANA time zone/);
    expect(problems({ NOTIFY_POLL_INTERVAL: '5s' })[0]).toMatch(/^NOTIFY_POLL_INTERVAL: NOTIFY_POLL_INTERVAL must be a positive ISO 8601 duration/);
  });
});
