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
      redact: ['req.headers.authorization'],
      autoLogging: { ignore: (req) => req.url === '/health' },
    },
  };
}

export function createLogger(config: StewardConfig, name: string): Logger {
  return pino({ name, level: config.LOG_LEVEL });
}
