import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger, PinoLogger } from 'nestjs-pino';
import { StewardConfig } from '@steward/config';
import { AppModule } from './app.module';
import { ActionKeyInterceptor } from './cases/action-key';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { refineOpenApiDocument } from './common/openapi-document';
import { createValidationPipe } from './common/validation';
import { serveWebConsole } from './web/web-console';

/** Builds the API application; main.ts listens on it, e2e tests drive it in-process. */
export async function createApiApp(config: StewardConfig): Promise<INestApplication> {
  // Boot errors (a bad SLA_POLICIES_FILE, say) reach the caller instead of exiting the process.
  const app = await NestFactory.create(AppModule.forRoot(config), { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalInterceptors(new ActionKeyInterceptor());
  app.useGlobalFilters(new HttpExceptionFilter(await app.resolve(PinoLogger)));
  app.enableShutdownHooks();
  serveWebConsole(app);
  const doc = new DocumentBuilder()
    .setTitle('Steward API')
    .setDescription('Durable approval and incident workflows. Authenticate with `Authorization: Bearer <JWT>` (`npm run token -- alice`).')
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, () => refineOpenApiDocument(SwaggerModule.createDocument(app, doc)), { jsonDocumentUrl: 'docs-json' });
  return app;
}
