import { AsyncLocalStorage } from 'node:async_hooks';
import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { Observable } from 'rxjs';

/**
 * `Idempotency-Key` on a case action (a decision, a response, ...): the action is sent to the workflow as an
 * Update whose id is the caller's key, so a retry with the same key (after a lost response, a killed API, a
 * 503) attaches to the first attempt instead of acting twice. The interceptor keeps the request's key for
 * CaseActions.act, which has no request of its own.
 */
const actionKeys = new AsyncLocalStorage<string | undefined>();

/** The Idempotency-Key of the request being handled, if any. */
export function currentActionKey(): string | undefined {
  return actionKeys.getStore();
}

@Injectable()
export class ActionKeyInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const key = context.switchToHttp().getRequest<Request>().header('idempotency-key');
    // The handler runs when next.handle() is subscribed to: inside run(), so its awaits keep the key.
    return new Observable((subscriber) => actionKeys.run(key, () => next.handle().subscribe(subscriber)));
  }
}
