import type { OpenAPIObject } from '@nestjs/swagger';

/**
 * Path parameters parsed by a UUID pipe (`UuidParam`, `uuidParam(name)`): Nest's Swagger plugin cannot see a
 * pipe, so without this the document would promise that any string is accepted where the API answers 400.
 */
export const UUID_PATH_PARAMS: readonly string[] = ['id', 'caseId', 'statementId', 'actionId'];

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;

interface ParameterLike {
  name?: string;
  in?: string;
  schema?: Record<string, unknown>;
}

type SchemaLike = Record<string, unknown>;

/** Names of the component schemas a schema refers to, directly or through properties, items and compositions. */
function referencedSchemas(schema: unknown, out: string[]): void {
  if (!schema || typeof schema !== 'object') return;
  if (Array.isArray(schema)) return schema.forEach((s) => referencedSchemas(s, out));
  const ref = (schema as SchemaLike).$ref;
  if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) out.push(ref.slice('#/components/schemas/'.length));
  for (const value of Object.values(schema as SchemaLike)) referencedSchemas(value, out);
}

/**
 * The global ValidationPipe refuses unknown body fields (400): every object schema a request body reaches says
 * `additionalProperties: false`, unless it declares its own (free-form objects such as approval-request fields).
 */
function closeRequestBodies(doc: OpenAPIObject): void {
  const schemas = (doc.components?.schemas ?? {}) as Record<string, SchemaLike>;
  const queue: string[] = [];
  for (const item of Object.values(doc.paths)) {
    for (const method of METHODS) referencedSchemas(item[method]?.requestBody, queue);
  }
  const seen = new Set<string>();
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    if (seen.has(name) || !schemas[name]) continue;
    seen.add(name);
    const schema = schemas[name];
    if (schema.properties && schema.additionalProperties === undefined) schema.additionalProperties = false;
    referencedSchemas(schema.properties, queue);
  }
}

/** The document as the API really validates: UUID path parameters say `format: uuid`, request bodies are closed. */
export function refineOpenApiDocument(doc: OpenAPIObject): OpenAPIObject {
  closeRequestBodies(doc);
  for (const item of Object.values(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      for (const p of (op?.parameters ?? []) as ParameterLike[]) {
        if (p.in === 'path' && p.name && UUID_PATH_PARAMS.includes(p.name)) p.schema = { ...(p.schema ?? {}), type: 'string', format: 'uuid' };
      }
    }
  }
  return doc;
}
