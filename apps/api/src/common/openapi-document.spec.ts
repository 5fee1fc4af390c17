import type { OpenAPIObject } from '@nestjs/swagger';
import { refineOpenApiDocument } from './openapi-document';

const doc = (): OpenAPIObject => ({
  openapi: '3.0.0',
  info: { title: 't', version: '1' },
  paths: {
    '/things/{id}': {
      get: { parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: {} },
      post: {
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'caseType', in: 'path', required: true, schema: { type: 'string' } },
        ],
        requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/ThingDto' } } } },
        responses: {},
      },
    },
  },
  components: {
    schemas: {
      ThingDto: { type: 'object', properties: { part: { $ref: '#/components/schemas/PartDto' }, fields: { type: 'object', additionalProperties: true } } },
      PartDto: { type: 'object', properties: { parts: { type: 'array', items: { $ref: '#/components/schemas/PartDto' } } } },
      FreeDto: { type: 'object', properties: { x: { type: 'string' } }, additionalProperties: true },
      ThingResponseDto: { type: 'object', properties: { id: { type: 'string' } } },
    },
  },
});

describe('refineOpenApiDocument', () => {
  it('says format uuid for the UUID path parameters only', () => {
    const d = refineOpenApiDocument(doc());
    expect(d.paths['/things/{id}'].get?.parameters).toEqual([{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }]);
    expect(d.paths['/things/{id}'].post?.parameters?.[1]).toEqual({ name: 'caseType', in: 'path', required: true, schema: { type: 'string' } });
  });

  it('closes every schema a request body reaches, and no response schema', () => {
    const schemas = refineOpenApiDocument(doc()).components?.schemas as Record<string, { additionalProperties?: unknown }>;
    expect(schemas.ThingDto.additionalProperties).toBe(false);
    expect(schemas.PartDto.additionalProperties).toBe(false);
    expect(schemas.FreeDto.additionalProperties).toBe(true);
    expect(schemas.ThingResponseDto.additionalProperties).toBeUndefined();
  });
});
