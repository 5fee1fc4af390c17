import type { Params } from 'nestjs-pino';
import pino, { Logger } from 'pino';
import { StewardConfig } from './steward-config';

/** JSON logs to stdout; every request line carries the case id when the route has one. */
export function loggerParams(config: StewardConfig, name: string): Params {
  return {
    pinoHttp: {
      name,
      level: config.LOG_LEVEL,
      customProps: (req) => {
        const id = (req as unknown as { params?: Record<string, string> }).params?.id;
        return id ? { caseId: id } : {};
      },
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      autoLogging: { ignore: (req) => req.url === '/health' },
    },
  };
}

export function createLogger(config: StewardConfig, name: string): Logger {
  return pino({ name, level: config.LOG_LEVEL });
}
