import { ServiceError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { QueryFailedError } from 'typeorm';
import { isDependencyOutage } from './dependency-outage';

const withCode = (message: string, code: string | number, extra: object = {}): Error => Object.assign(new Error(message), { code }, extra);

describe('isDependencyOutage', () => {
  it.each([
    ['Postgres refusing connections', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['both addresses refused (AggregateError)', Object.assign(new AggregateError([withCode('a', 'ECONNREFUSED'), withCode('b', 'ECONNREFUSED')]), { code: 'ECONNREFUSED' })],
    ['a connection dropped mid-query', new Error('Connection terminated unexpectedly')],
    ['the pool timing out on connect', new Error('timeout exceeded when trying to connect')],
    ['admin shutdown inside a QueryFailedError', new QueryFailedError('SELECT 1', [], withCode('terminating connection due to administrator command', '57P01'))],
    ['the server starting up', withCode('the database system is starting up', '57P03')],
    ['a connection exception (class 08)', withCode('connection failure', '08006')],
    ['Temporal unreachable', new ServiceError('Failed to start workflow', { cause: withCode('14 UNAVAILABLE: No connection established', 14, { metadata: {} }) })],
    [
      'a workflow task retried after its worker died',
      new ServiceError('Update-with-Start could not be executed', {
        cause: withCode('Unable to perform workflow execution update due to Workflow Task in failed state.', 9, { metadata: {} }),
      }),
    ],
    ['an update poll cut off', new WorkflowUpdateRPCTimeoutOrCancelledError('Timeout or cancellation waiting for update')],
  ])('is an outage: %s', (_what, err) => {
    expect(isDependencyOutage(err)).toBe(true);
  });

  it.each([
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a unique violation', new QueryFailedError('INSERT', [], withCode('duplicate key value violates unique constraint', '23505'))],
    ['a gRPC NOT_FOUND', new ServiceError('not found', { cause: withCode('5 NOT_FOUND', 5, { metadata: {} }) })],
    ['another FAILED_PRECONDITION', withCode('9 FAILED_PRECONDITION: something else', 9, { metadata: {} })],
    ['a number code 14 that is not gRPC', withCode('other', 14)],
    ['not an error', 'ECONNREFUSED'],
    ['null', null],
  ])('is not an outage: %s', (_what, err) => {
    expect(isDependencyOutage(err)).toBe(false);
  });
});
