import createClient from 'openapi-fetch';
import type { components, paths } from './schema.gen';

/** Types of the API's responses and bodies, generated from its OpenAPI document at build time. */
export type Schemas = components['schemas'];
export type Me = Schemas['UserResponseDto'];

const TOKEN_KEY = 'steward.token';
let token: string | null = sessionStorage.getItem(TOKEN_KEY) ?? localStorage.getItem(TOKEN_KEY);

export function currentToken(): string | null {
  return token;
}

export function setToken(next: string | null): void {
  token = next;
  if (next) localStorage.setItem(TOKEN_KEY, next);
  else localStorage.removeItem(TOKEN_KEY);
}

/** The one typed client: the public API, same origin, the user's bearer token on every call. */
export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use({
  onRequest({ request }) {
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
});

export interface FieldProblem {
  field: string;
  messages: string[];
}

interface ErrorBody {
  statusCode?: number;
  error?: string;
  message?: string;
  details?: FieldProblem[];
}

/** A non-2xx answer: the contract's `{ statusCode, error, message, details }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(body.message ?? `HTTP ${status}`);
    this.name = 'ApiError';
  }

  get details(): FieldProblem[] {
    return Array.isArray(this.body.details) ? this.body.details : [];
  }
}

/** Unwraps an openapi-fetch result: the data, or an ApiError carrying the API's error body. */
export async function call<T>(request: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await request;
  if (!response.ok) throw new ApiError(response.status, (typeof error === 'object' && error ? error : {}) as ErrorBody);
  return data as T;
}

/** Downloads a streamed export (JSONL/CSV) with the bearer token; returns the text. */
export async function fetchText(path: string): Promise<string> {
  const res = await fetch(path, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  if (!res.ok) {
    let body: ErrorBody = {};
    try {
      body = JSON.parse(text) as ErrorBody;
    } catch {
      body = { message: text };
    }
    throw new ApiError(res.status, body);
  }
  return text;
}

/** An Idempotency-Key for one creating POST (randomUUID needs a secure context; plain http on a LAN has none). */
export function idempotencyKey(): string {
  return typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
