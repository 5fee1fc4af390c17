import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import type { Response } from 'express';
import { PinoLogger } from 'nestjs-pino';
import { isDependencyOutage } from './dependency-outage';
import { StewardException } from './steward.exception';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Every error leaves as `{ statusCode, error, message, details }`. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: PinoLogger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const { statusCode, message, details } = this.describe(exception);
    if (statusCode >= 500) this.logger.error({ err: exception }, 'request failed');
    res.status(statusCode).json({ statusCode, error: REASONS[statusCode] ?? 'Error', message, details });
  }

  private describe(exception: unknown): { statusCode: number; message: string; details: unknown[] } {
    if (exception instanceof StewardException) {
      return { statusCode: exception.status, message: exception.message, details: exception.details };
    }
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      const raw = typeof body === 'object' && body !== null ? (body as { message?: unknown }).message : body;
      const message = Array.isArray(raw) ? raw.join('; ') : String(raw ?? exception.message);
      // body-parser's SyntaxError reaches us as a 400 HttpException: say plainly what is wrong.
      const statusCode = exception.getStatus();
      return { statusCode, message: statusCode === 400 && /JSON/i.test(message) ? `Malformed JSON body: ${message}` : message, details: [] };
    }
    // Postgres or the Temporal server is down or restarting: the client may retry (with the same Idempotency-Key).
    if (isDependencyOutage(exception)) return { statusCode: HttpStatus.SERVICE_UNAVAILABLE, message: 'A dependency is unavailable; retry shortly', details: [] };
    return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, message: 'Internal server error', details: [] };
  }
}
