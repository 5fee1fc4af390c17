import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  registerDecorator,
  validateSync,
  ValidationArguments,
} from 'class-validator';
import { IANAZone } from 'luxon';
import { isoDurationMs } from '@steward/domain';

/** Used only outside production when JWT_SECRET is unset; printed at boot so nobody mistakes it for a secret. */
export const DEV_JWT_SECRET = 'steward-dev-secret-do-not-use-in-production';

function IsIsoDuration() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isIsoDuration',
      target: object.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isoDurationMs(value) !== null,
        defaultMessage: (args: ValidationArguments) =>
          `${args.property} must be a positive ISO 8601 duration such as PT24H (got "${String(args.value)}")`,
      },
    });
}

/** A URL nodemailer can send through: smtp:// or smtps://, with a host. */
export function smtpUrlProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'must be a string';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL (expected smtp://user:password@host:port or smtps://...)';
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') return `must start with smtp:// or smtps:// (got ${url.protocol}//)`;
  if (!url.hostname) return 'names no host';
  if (url.port && (Number(url.port) < 1 || Number(url.port) > 65535)) return 'has a bad port';
  return null;
}

function IsSmtpUrl() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isSmtpUrl',
      target: object.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) => smtpUrlProblem(value) === null,
        // The value may hold a password: the message names the problem, never the value.
        defaultMessage: (args: ValidationArguments) => `${args.property} ${smtpUrlProblem(args.value)}`,
      },
    });
}

/** 32 bytes as 64 hex digits or base64 (a key for AES-256-GCM). */
export function isAes256Key(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const v = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(v)) return true;
  return /^[A-Za-z0-9+/_-]{43}=?$/.test(v) && Buffer.from(v.replace(/-/g, '+').replace(/_/g, '/'), 'base64').length === 32;
}

function IsAes256Key() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isAes256Key',
      target: object.constructor,
      propertyName,
      validator: {
        validate: isAes256Key,
        defaultMessage: (args: ValidationArguments) =>
          `${args.property} must be 32 random bytes as 64 hex digits or 44 base64 characters (e.g. \`openssl rand -hex 32\`)`,
      },
    });
}

function IsTimeZone() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isTimeZone',
      target: object.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && IANAZone.isValidZone(value),
        defaultMessage: (args: ValidationArguments) => `${args.property} must be an IANA time zone such as Europe/Paris (got "${String(args.value)}")`,
      },
    });
}

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
const toBool = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : ['1', 'true', 'yes'].includes(String(value).toLowerCase());

/**
 * Every environment variable Steward reads, validated once at boot.
 * Property names are the variable names so that an error names exactly what to fix.
 */
export class StewardConfig {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT = 3000;

  @IsString()
  @MinLength(1)
  DATA_DIR = '.data';

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string = undefined;

  /** The table owner, for migrations; the app itself should connect (DATABASE_URL) as a member of steward_app. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'MIGRATIONS_DATABASE_URL must be a postgres:// URL' })
  MIGRATIONS_DATABASE_URL?: string = undefined;

  @IsOptional()
  @Matches(/^[^\s:/]+:\d{1,5}$/, { message: 'TEMPORAL_ADDRESS must be host:port, e.g. localhost:7233' })
  TEMPORAL_ADDRESS?: string = undefined;

  @IsString()
  @MinLength(1)
  TEMPORAL_NAMESPACE = 'default';

  @IsString()
  @MinLength(1)
  TEMPORAL_TASK_QUEUE = 'steward';

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'JWT_SECRET must be at least 16 characters' })
  JWT_SECRET?: string = undefined;

  /** When set, a token's `iss` must equal it (tokens Steward mints carry it). */
  @IsOptional()
  @IsString()
  JWT_ISSUER?: string = undefined;

  /** When set, a token's `aud` must include it (tokens Steward mints carry it). */
  @IsOptional()
  @IsString()
  JWT_AUDIENCE?: string = undefined;

  /**
   * Interface the API listens on. Default: all interfaces with a real JWT_SECRET, loopback only with the
   * public development secret, so that nobody on the network can mint tokens for it.
   */
  @IsOptional()
  @IsString()
  HOST?: string = undefined;

  @IsOptional()
  @IsString()
  DIRECTORY_FILE?: string = undefined;

  @IsIsoDuration()
  APPROVAL_REMINDER_AFTER = 'PT24H';

  @IsIsoDuration()
  APPROVAL_ESCALATE_AFTER = 'PT48H';

  @IsOptional()
  @IsString()
  SLA_POLICIES_FILE?: string = undefined;

  @IsOptional()
  @IsString()
  PIP_POLICY_FILE?: string = undefined;

  @IsOptional()
  @IsString()
  CRISIS_POLICY_FILE?: string = undefined;

  @IsOptional()
  @IsString()
  APPROVAL_TYPES_FILE?: string = undefined;

  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  COMPENSATION_APPROVAL_THRESHOLD = 1000;

  /** Ports of the embedded services `npm start` runs when DATABASE_URL / TEMPORAL_ADDRESS are unset. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  EMBEDDED_POSTGRES_PORT = 54329;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  TEMPORAL_DEV_PORT = 7233;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  TEMPORAL_UI_PORT = 8233;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /**
   * Rate limits, per caller (the token's subject; the IP address without a valid token) and per API process:
   * at most RATE_LIMIT_MAX requests, and RATE_LIMIT_EXPORT_MAX audit exports, in each RATE_LIMIT_WINDOW.
   * The defaults leave room for `npm run bench` (1000 submissions from one user) and the test suites.
   */
  @IsIsoDuration()
  RATE_LIMIT_WINDOW = 'PT1M';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_MAX = 3000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_EXPORT_MAX = 60;

  /**
   * Workflows the worker keeps in memory between their tasks (its sticky cache). Open cases always outnumber it
   * in production: the others are replayed from their history when their next task comes, and the worker's
   * memory stays bounded by this figure instead of by the number of open cases. A cached complaint costs the
   * worker about 0.4 MiB (mostly the SDK's native side, not the JS heap): 500 keeps a worker with 10,000 open
   * complaints under 600 MB (docs/PERFORMANCE.md, "Complaints").
   */
  @Transform(toInt)
  @IsInt()
  @Min(2)
  @Max(100000)
  WORKER_MAX_CACHED_WORKFLOWS = 500;

  /** The API applies pending migrations at boot unless told not to (e.g. when a release job does it). */
  @Transform(toBool)
  @IsBoolean()
  MIGRATIONS_RUN = true;

  // --- notifications that leave Steward (email, webhooks) ------------------------------------------------

  /** smtp://user:pass@host:port or smtps://...; unset: email is off and notifications are in-app only. */
  @IsOptional()
  @IsSmtpUrl()
  SMTP_URL?: string = undefined;

  /** The From of every email. */
  @IsString()
  @MinLength(3)
  SMTP_FROM = 'Steward <steward@localhost>';

  /** 32 bytes (64 hex digits or base64) that encrypt webhook signing secrets at rest; required to use webhooks. */
  @IsOptional()
  @IsAes256Key()
  WEBHOOK_SECRET_KEY?: string = undefined;

  /** Where people open the console: case links in emails. Default http://localhost:PORT. */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'PUBLIC_URL must be an http(s) URL such as https://steward.example.com' })
  PUBLIC_URL?: string = undefined;

  /** The time zone due times are shown in, for users who have not chosen one (the directory has no time zones). */
  @IsTimeZone()
  NOTIFY_TIME_ZONE = 'UTC';

  /** Whether this worker process runs the delivery loop (several may: they share the outbox by leases). */
  @Transform(toBool)
  @IsBoolean()
  NOTIFY_DELIVERY = true;

  /** How often an idle delivery loop looks for due messages. */
  @IsIsoDuration()
  NOTIFY_POLL_INTERVAL = 'PT2S';

  /** How long a claimed message is a worker's own; a worker that dies holding it loses it when this ends. */
  @IsIsoDuration()
  NOTIFY_LEASE = 'PT1M';

  /** Attempts per message before it is dead (dead letter). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  NOTIFY_MAX_ATTEMPTS = 8;

  /** First retry delay; doubled each attempt (with jitter), at most NOTIFY_RETRY_MAX. */
  @IsIsoDuration()
  NOTIFY_RETRY_BASE = 'PT30S';

  @IsIsoDuration()
  NOTIFY_RETRY_MAX = 'PT1H';

  /** Reminder emails to one user within this window are combined into one digest. */
  @IsIsoDuration()
  NOTIFY_DIGEST_WINDOW = 'PT15M';

  /** Longest one send may take (an SMTP exchange, a webhook receiver's answer); must be shorter than NOTIFY_LEASE. */
  @IsIsoDuration()
  NOTIFY_SEND_TIMEOUT = 'PT10S';

  /** The API and worker need these; `npm start` and the tests set them after starting embedded services. */
  get databaseUrl(): string {
    if (!this.DATABASE_URL) throw new ConfigError(['DATABASE_URL: required here (npm start sets it when it runs embedded Postgres)']);
    return this.DATABASE_URL;
  }

  get temporalAddress(): string {
    if (!this.TEMPORAL_ADDRESS) throw new ConfigError(['TEMPORAL_ADDRESS: required here (npm start sets it when it runs the Temporal dev server)']);
    return this.TEMPORAL_ADDRESS;
  }

  get jwtSecret(): string {
    return this.JWT_SECRET ?? DEV_JWT_SECRET;
  }

  get usesDevJwtSecret(): boolean {
    return this.JWT_SECRET === undefined;
  }

  get listenHost(): string {
    return this.HOST ?? (this.usesDevJwtSecret ? '127.0.0.1' : '0.0.0.0');
  }

  get approvalReminderAfterMs(): number {
    return isoDurationMs(this.APPROVAL_REMINDER_AFTER)!;
  }

  get approvalEscalateAfterMs(): number {
    return isoDurationMs(this.APPROVAL_ESCALATE_AFTER)!;
  }

  get rateLimitWindowMs(): number {
    return isoDurationMs(this.RATE_LIMIT_WINDOW)!;
  }

  get publicUrl(): string {
    return (this.PUBLIC_URL ?? `http://localhost:${this.PORT}`).replace(/\/+$/, '');
  }

  /** Milliseconds of one of the ISO duration settings (validated at boot). */
  ms(name: 'NOTIFY_POLL_INTERVAL' | 'NOTIFY_LEASE' | 'NOTIFY_RETRY_BASE' | 'NOTIFY_RETRY_MAX' | 'NOTIFY_DIGEST_WINDOW' | 'NOTIFY_SEND_TIMEOUT'): number {
    return isoDurationMs(this[name])!;
  }
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** Reads and validates the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): StewardConfig {
  const known = Object.keys(new StewardConfig());
  const input = Object.fromEntries(known.filter((k) => env[k] !== undefined && env[k] !== '').map((k) => [k, env[k]]));
  const config = plainToInstance(StewardConfig, input, { exposeDefaultValues: true });
  const errors = validateSync(config, { skipMissingProperties: false, stopAtFirstError: true });
  if (errors.length > 0) {
    throw new ConfigError(errors.flatMap((e) => Object.values(e.constraints ?? {}).map((m) => `${e.property}: ${m}`)));
  }
  if (config.NODE_ENV === 'production' && config.usesDevJwtSecret) {
    throw new ConfigError(['JWT_SECRET: must be set when NODE_ENV=production']);
  }
  if (config.usesDevJwtSecret && !isLoopback(config.listenHost)) {
    throw new ConfigError([`HOST: ${config.listenHost} is reachable from other machines, so JWT_SECRET must be set (the development secret is public)`]);
  }
  return config;
}
