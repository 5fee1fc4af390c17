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
  required?: boolean;
  description?: string;
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

/** The contract's error body (`HttpExceptionFilter`), the schema of every documented 4xx and 503. */
export const ERROR_SCHEMA = 'ErrorResponseDto';

const ERROR_BODY: SchemaLike = {
  type: 'object',
  required: ['statusCode', 'error', 'message', 'details'],
  properties: {
    statusCode: { type: 'integer', example: 400 },
    error: { type: 'string', example: 'Bad Request' },
    message: { type: 'string', example: 'title must be longer than or equal to 3 characters' },
    details: {
      type: 'array',
      description: 'For a 400: one entry per bad field, naming it',
      items: {
        type: 'object',
        required: ['field', 'messages'],
        properties: { field: { type: 'string', example: 'title' }, messages: { type: 'array', items: { type: 'string' } } },
      },
    },
  },
};

const ERROR_MEANINGS: Record<number, string> = {
  400: 'Invalid input: `details` names every bad field',
  401: 'No token, or a bad or expired one',
  403: 'Not allowed for this user',
  404: 'Unknown id, or a case this user may not see',
  409: 'The case is not in a state that accepts this action',
  413: 'The body is larger than the API accepts',
  422: 'This Idempotency-Key was used before with a different body',
  429: 'Too many requests from this caller: wait the `Retry-After` seconds',
  503: 'Postgres or the Temporal server is unavailable: retry (with the same Idempotency-Key)',
};

const ACTION_KEY_DESCRIPTION =
  'A retry with the same key (after a lost response, a 503, a network error) attaches to the first attempt and ' +
  'returns its outcome: the action runs once';

const isKeyHeader = (p: ParameterLike): boolean => p.in === 'header' && p.name?.toLowerCase() === 'idempotency-key';

/**
 * Header parameters once each: a handler reading `@Headers('idempotency-key')` makes the Swagger plugin add a
 * second, required, undocumented copy of a header the route already declares with `@ApiHeader` (optional).
 */
function dedupeHeaders(parameters: ParameterLike[]): ParameterLike[] {
  const documented = new Set(parameters.filter((p) => p.in === 'header' && p.description).map((p) => p.name?.toLowerCase()));
  return parameters.filter((p) => p.in !== 'header' || p.description || !documented.has(p.name?.toLowerCase()));
}

/**
 * Case actions (`POST /<cases>/{id}/...` under a collection whose creating POST takes an Idempotency-Key) take one
 * too (`ActionKeyInterceptor`): the document says so on each of them.
 */
function caseActionPrefixes(doc: OpenAPIObject): string[] {
  return Object.entries(doc.paths)
    .filter(([, item]) => ((item.post?.parameters ?? []) as ParameterLike[]).some(isKeyHeader))
    .map(([path]) => `${path}/{id}/`);
}

/** The errors an operation can answer, from what it takes: every one in the contract's error body. */
function errorStatuses(path: string, method: string, op: { parameters?: unknown[]; requestBody?: unknown; security?: unknown[] }, isAction: boolean): number[] {
  const secured = (op.security?.length ?? 0) > 0;
  const parameters = (op.parameters ?? []) as ParameterLike[];
  const out: number[] = [];
  if (parameters.length > 0 || op.requestBody) out.push(400);
  if (secured) out.push(401);
  if (secured && method !== 'get') out.push(403);
  if (path.includes('{')) out.push(404);
  if (isAction) out.push(409);
  if (op.requestBody) out.push(413);
  // A create's key is bound to its body; an action's key names one attempt of it (no 422).
  if (!isAction && parameters.some(isKeyHeader)) out.push(422);
  out.push(429, 503);
  return out;
}

function documentErrors(doc: OpenAPIObject): void {
  doc.components = doc.components ?? {};
  doc.components.schemas = { ...(doc.components.schemas ?? {}), [ERROR_SCHEMA]: ERROR_BODY };
  const errorContent = { 'application/json': { schema: { $ref: `#/components/schemas/${ERROR_SCHEMA}` } } };
  const actionPrefixes = caseActionPrefixes(doc);
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const isAction = method === 'post' && actionPrefixes.some((prefix) => path.startsWith(prefix));
      let parameters = dedupeHeaders((op.parameters ?? []) as ParameterLike[]);
      if (isAction && !parameters.some(isKeyHeader)) {
        parameters = [...parameters, { name: 'Idempotency-Key', in: 'header', required: false, description: ACTION_KEY_DESCRIPTION, schema: { type: 'string' } }];
      }
      op.parameters = parameters as typeof op.parameters;
      for (const status of errorStatuses(path, method, op, isAction)) {
        // A route's own description of a status (e.g. /health's 503 body) wins.
        op.responses[status] ??= { description: ERROR_MEANINGS[status], content: errorContent };
      }
    }
  }
}

/**
 * The document as the API really behaves: UUID path parameters say `format: uuid`, request bodies are closed,
 * case actions take an Idempotency-Key, and every operation lists the errors it can answer in the contract's
 * error body (400 naming fields, 401, 403, 404, 409, 413, 422, 429 with Retry-After, 503 while a dependency is down).
 */
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
  documentErrors(doc);
  return doc;
}
