/**
 * Whether an error means a dependency (Postgres or the Temporal server) is unreachable or going away rather
 * than a bug (or a case's worker is being replaced: its workflow task is retried): the API then answers 503, which a client may retry, instead of 500. Looks through the wrappers
 * (TypeORM's QueryFailedError.driverError, Temporal's ServiceError.cause, Node's AggregateError of connect
 * attempts).
 */

/** Node's socket errors on connect, or on a connection the other side dropped. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'EAI_AGAIN']);

/**
 * Postgres SQLSTATEs of an outage: class 08 (connection exception), 57P01 admin shutdown, 57P02 crash
 * shutdown, 57P03 cannot connect now (starting up or shutting down), 53300 too many connections.
 */
const isPostgresOutageCode = (code: string): boolean => /^08...$/.test(code) || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300';

/** What node-postgres and its pool say when the server went away or never answered. */
const POSTGRES_MESSAGES = [/^Connection terminated/, /timeout exceeded when trying to connect/, /Client has encountered a connection error and is not queryable/, /Connection terminated unexpectedly/];

/** gRPC status codes of an unreachable Temporal server: 14 UNAVAILABLE. */
const GRPC_UNAVAILABLE = 14;
/** 9 FAILED_PRECONDITION, with this message: the workflow task is being retried. */
const GRPC_FAILED_PRECONDITION = 9;
const WORKFLOW_TASK_FAILED = /Workflow Task in failed state/;

export function isDependencyOutage(err: unknown, depth = 0): boolean {
  if (depth > 6 || typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; message?: unknown; name?: unknown; cause?: unknown; driverError?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && (SOCKET_CODES.has(e.code) || isPostgresOutageCode(e.code))) return true;
  // A gRPC ServiceError from @grpc/grpc-js carries a numeric code and metadata.
  if (typeof e.code === 'number' && e.code === GRPC_UNAVAILABLE && 'metadata' in e) return true;
  // The case's workflow task timed out (its worker died) and is being retried: Temporal refuses updates until
  // a worker has run it again, so this one may be retried in a moment.
  if (typeof e.code === 'number' && e.code === GRPC_FAILED_PRECONDITION && 'metadata' in e && typeof e.message === 'string' && WORKFLOW_TASK_FAILED.test(e.message)) return true;
  // The update's long poll was cut (the server went away mid-request): whether it landed is unknown, so retry.
  if (e.name === 'WorkflowUpdateRPCTimeoutOrCancelledError') return true;
  if (typeof e.message === 'string' && POSTGRES_MESSAGES.some((re) => re.test(e.message as string))) return true;
  if (Array.isArray(e.errors) && e.errors.some((inner) => isDependencyOutage(inner, depth + 1))) return true;
  return isDependencyOutage(e.driverError, depth + 1) || isDependencyOutage(e.cause, depth + 1);
}
