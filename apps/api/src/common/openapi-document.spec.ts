import type { OpenAPIObject } from '@nestjs/swagger';
import { ERROR_SCHEMA, refineOpenApiDocument } from './openapi-document';

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

  describe('errors and Idempotency-Key', () => {
    const cases = (): OpenAPIObject => ({
      openapi: '3.0.0',
      info: { title: 't', version: '1' },
      paths: {
        '/things': {
          post: {
            parameters: [
              { name: 'idempotency-key', in: 'header', required: true, schema: { type: 'string' } },
              { name: 'Idempotency-Key', in: 'header', required: false, description: 'first response', schema: { type: 'string' } },
            ],
            requestBody: { content: { 'application/json': { schema: { type: 'object' } } } },
            security: [{ bearer: [] }],
            responses: { 201: { description: '' } },
          },
          get: { parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer' } }], security: [{ bearer: [] }], responses: { 200: { description: '' } } },
        },
        '/things/{id}/decisions': {
          post: { parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], security: [{ bearer: [] }], responses: { 200: { description: '' } } },
        },
        '/others/{id}/read': {
          post: { parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], security: [{ bearer: [] }], responses: { 200: { description: '' } } },
        },
        '/health': { get: { responses: { 200: { description: 'up' }, 503: { description: 'down, with details' } } } },
      },
      components: { schemas: {} },
    });
    const statuses = (op: { responses: object } | undefined) => Object.keys(op?.responses ?? {}).map(Number);
    const headers = (op: { parameters?: unknown[] } | undefined) =>
      ((op?.parameters ?? []) as { in: string; name: string; required?: boolean }[]).filter((p) => p.in === 'header');

    it('keeps one Idempotency-Key on a creating POST: the documented, optional one', () => {
      const d = refineOpenApiDocument(cases());
      expect(headers(d.paths['/things'].post)).toEqual([expect.objectContaining({ name: 'Idempotency-Key', required: false })]);
    });

    it('gives every case action under such a collection an Idempotency-Key, and no other POST', () => {
      const d = refineOpenApiDocument(cases());
      expect(headers(d.paths['/things/{id}/decisions'].post)).toEqual([expect.objectContaining({ name: 'Idempotency-Key', required: false })]);
      expect(headers(d.paths['/others/{id}/read'].post)).toEqual([]);
    });

    it('lists the errors each operation can answer, in the error body', () => {
      const d = refineOpenApiDocument(cases());
      expect(statuses(d.paths['/things'].post)).toEqual([201, 400, 401, 403, 413, 422, 429, 503]);
      expect(statuses(d.paths['/things'].get)).toEqual([200, 400, 401, 429, 503]);
      expect(statuses(d.paths['/things/{id}/decisions'].post)).toEqual([200, 400, 401, 403, 404, 409, 429, 503]);
      expect(statuses(d.paths['/others/{id}/read'].post)).toEqual([200, 400, 401, 403, 404, 429, 503]);
      expect(d.paths['/things/{id}/decisions'].post?.responses[429]).toEqual({
        description: expect.stringContaining('Retry-After'),
        content: { 'application/json': { schema: { $ref: `#/components/schemas/${ERROR_SCHEMA}` } } },
      });
      expect(d.components?.schemas?.[ERROR_SCHEMA]).toMatchObject({ required: ['statusCode', 'error', 'message', 'details'] });
    });

    it("keeps a route's own description of a status", () => {
      const d = refineOpenApiDocument(cases());
      expect(d.paths['/health'].get?.responses[503]).toEqual({ description: 'down, with details' });
      expect(statuses(d.paths['/health'].get)).toEqual([200, 429, 503]);
    });
  });
});
