import { ConfigError, DEV_JWT_SECRET, loadConfig, StewardConfig } from './steward-config';

/** The ConfigError loadConfig throws for `env`; fails the test when it does not throw one. */
function configErrorFor(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected loadConfig(${JSON.stringify(env)}) to throw a ConfigError`);
}

describe('loadConfig', () => {
  describe('with an empty environment', () => {
    let config: StewardConfig;
    beforeEach(() => {
      config = loadConfig({});
    });

    it('uses the documented defaults', () => {
      expect(config).toMatchObject({
        NODE_ENV: 'development',
        PORT: 3000,
        DATA_DIR: '.data',
        TEMPORAL_NAMESPACE: 'default',
        TEMPORAL_TASK_QUEUE: 'steward',
        APPROVAL_REMINDER_AFTER: 'PT24H',
        APPROVAL_ESCALATE_AFTER: 'PT48H',
        COMPENSATION_APPROVAL_THRESHOLD: 1000,
        LOG_LEVEL: 'info',
        MIGRATIONS_RUN: true,
        WORKER_MAX_CACHED_WORKFLOWS: 500,
      });
    });

    it('converts the approval durations to milliseconds', () => {
      expect(config.approvalReminderAfterMs).toBe(24 * 60 * 60 * 1000);
      expect(config.approvalEscalateAfterMs).toBe(48 * 60 * 60 * 1000);
    });

    it('falls back to the development JWT secret and says so', () => {
      expect(config.usesDevJwtSecret).toBe(true);
      expect(config.jwtSecret).toBe(DEV_JWT_SECRET);
    });

    it('leaves DATABASE_URL unset, and the databaseUrl getter throws a ConfigError naming it', () => {
      expect(config.DATABASE_URL).toBeUndefined();
      expect(() => config.databaseUrl).toThrow(ConfigError);
      expect(() => config.databaseUrl).toThrow(/DATABASE_URL/);
    });

    it('leaves TEMPORAL_ADDRESS unset, and the temporalAddress getter throws naming it', () => {
      expect(() => config.temporalAddress).toThrow(/TEMPORAL_ADDRESS/);
    });
  });

  it('reads valid values and converts numbers and booleans', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      PORT: '8080',
      DATABASE_URL: 'postgres://steward:pw@db:5432/steward',
      TEMPORAL_ADDRESS: 'temporal:7233',
      JWT_SECRET: 'a-secret-of-at-least-16-chars',
      APPROVAL_REMINDER_AFTER: 'PT4H',
      COMPENSATION_APPROVAL_THRESHOLD: '2500.5',
      LOG_LEVEL: 'debug',
      MIGRATIONS_RUN: 'false',
      WORKER_MAX_CACHED_WORKFLOWS: '250',
    });
    expect(config.PORT).toBe(8080);
    expect(config.databaseUrl).toBe('postgres://steward:pw@db:5432/steward');
    expect(config.temporalAddress).toBe('temporal:7233');
    expect(config.jwtSecret).toBe('a-secret-of-at-least-16-chars');
    expect(config.usesDevJwtSecret).toBe(false);
    expect(config.approvalReminderAfterMs).toBe(4 * 60 * 60 * 1000);
    expect(config.COMPENSATION_APPROVAL_THRESHOLD).toBe(2500.5);
    expect(config.LOG_LEVEL).toBe('debug');
    expect(config.MIGRATIONS_RUN).toBe(false);
    expect(config.WORKER_MAX_CACHED_WORKFLOWS).toBe(250);
  });

  it('accepts a postgresql:// URL too', () => {
    expect(loadConfig({ DATABASE_URL: 'postgresql://localhost/steward' }).databaseUrl).toBe('postgresql://localhost/steward');
  });

  it('treats an empty variable as unset and uses the default', () => {
    expect(loadConfig({ PORT: '', LOG_LEVEL: '' })).toMatchObject({ PORT: 3000, LOG_LEVEL: 'info' });
  });

  it('ignores environment variables it does not know', () => {
    const config = loadConfig({ PATH: '/usr/bin', HOME: '/root', STEWARD_UNKNOWN: 'whatever', PORT: '4000' });
    expect(config.PORT).toBe(4000);
    expect(config).not.toHaveProperty('PATH');
    expect(config).not.toHaveProperty('STEWARD_UNKNOWN');
  });

  it.each<[string, string]>([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '0'],
    ['PORT', '80.5'],
    ['APPROVAL_ESCALATE_AFTER', 'tomorrow'],
    ['APPROVAL_REMINDER_AFTER', 'PT0S'],
    ['DATABASE_URL', 'mysql://x'],
    ['TEMPORAL_ADDRESS', 'nohostport'],
    ['JWT_SECRET', 'short'],
    ['LOG_LEVEL', 'loud'],
    ['NODE_ENV', 'staging'],
    ['COMPENSATION_APPROVAL_THRESHOLD', '-5'],
    ['COMPENSATION_APPROVAL_THRESHOLD', 'lots'],
    ['WORKER_MAX_CACHED_WORKFLOWS', '1'],
    ['WORKER_MAX_CACHED_WORKFLOWS', '0'],
    ['WORKER_MAX_CACHED_WORKFLOWS', '12.5'],
    ['WORKER_MAX_CACHED_WORKFLOWS', 'many'],
  ])('rejects %s=%s with a ConfigError naming the variable', (name, value) => {
    const error = configErrorFor({ [name]: value });
    expect(error.name).toBe('ConfigError');
    expect(error.message).toContain(name);
    expect(error.problems.length).toBeGreaterThan(0);
    expect(error.problems.every((problem) => problem.startsWith(`${name}: `))).toBe(true);
  });

  it('names the offending value of a bad duration', () => {
    expect(configErrorFor({ APPROVAL_ESCALATE_AFTER: 'tomorrow' }).message).toContain('"tomorrow"');
  });

  it('names every bad variable at once', () => {
    const error = configErrorFor({ PORT: 'abc', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x', JWT_SECRET: 'short' });
    expect([...new Set(error.problems.map((p) => p.split(':')[0]))].sort()).toEqual(['DATABASE_URL', 'JWT_SECRET', 'LOG_LEVEL', 'PORT']);
    for (const name of ['PORT', 'LOG_LEVEL', 'DATABASE_URL', 'JWT_SECRET']) expect(error.message).toContain(name);
  });

  it('refuses production without a JWT_SECRET', () => {
    const error = configErrorFor({ NODE_ENV: 'production' });
    expect(error.problems).toEqual(['JWT_SECRET: must be set when NODE_ENV=production']);
  });

  it('allows production with a JWT_SECRET', () => {
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: '0123456789abcdef' }).usesDevJwtSecret).toBe(false);
  });

  it('listens on loopback only with the public development secret, on every interface with a real one', () => {
    expect(loadConfig({}).listenHost).toBe('127.0.0.1');
    expect(loadConfig({ JWT_SECRET: '0123456789abcdef' }).listenHost).toBe('0.0.0.0');
    expect(loadConfig({ JWT_SECRET: '0123456789abcdef', HOST: '10.1.2.3' }).listenHost).toBe('10.1.2.3');
  });

  it('refuses the development secret on an interface other machines reach', () => {
    expect(configErrorFor({ HOST: '0.0.0.0' }).problems).toEqual([
      'HOST: 0.0.0.0 is reachable from other machines, so JWT_SECRET must be set (the development secret is public)',
    ]);
    expect(loadConfig({ HOST: '::1' }).listenHost).toBe('::1');
  });
});
