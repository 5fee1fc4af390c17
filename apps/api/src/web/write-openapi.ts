import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { loadConfig } from '@steward/config';
import { AppModule } from '../app.module';
import { refineOpenApiDocument } from '../common/openapi-document';

/**
 * The API's OpenAPI document without a database or Temporal: Nest's preview mode resolves the module graph and
 * the controllers' metadata but instantiates no provider. The web console's typed client is generated from it
 * (`npm run build`), so the console cannot drift from the API it is built with.
 */
export async function openApiDocument(): Promise<OpenAPIObject> {
  // Development settings, so the document also has the dev sign-in routes the console uses in development.
  const config = loadConfig({ NODE_ENV: 'development', LOG_LEVEL: 'silent' });
  const app = await NestFactory.create(AppModule.forRoot(config), { preview: true, logger: false, abortOnError: false });
  const doc = refineOpenApiDocument(SwaggerModule.createDocument(app, new DocumentBuilder().setTitle('Steward API').setVersion('1').addBearerAuth().build()));
  await app.close();
  return doc;
}

if (require.main === module) {
  const out = resolve(process.argv[2] ?? 'dist/web-openapi.json');
  openApiDocument()
    .then((doc) => {
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, JSON.stringify(doc, null, 2) + '\n');
    })
    .catch((err: Error) => {
      process.stderr.write(`${err.stack}\n`);
      process.exit(1);
    });
}
