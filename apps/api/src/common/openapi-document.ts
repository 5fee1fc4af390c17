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

/** The document as the API really validates: UUID path parameters say `format: uuid`. */
export function refineOpenApiDocument(doc: OpenAPIObject): OpenAPIObject {
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
