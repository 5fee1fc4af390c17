import { workerCacheOptions } from './worker-cache';

describe('workerCacheOptions', () => {
  it('runs at most a quarter of the cache, and at most 20, workflow tasks at once; never fewer than 2', () => {
    expect(workerCacheOptions(1000)).toEqual({
      maxCachedWorkflows: 1000,
      maxConcurrentWorkflowTaskExecutions: 20,
      maxConcurrentWorkflowTaskPolls: 10,
      nonStickyToStickyPollRatio: 0.5,
      stickyQueueScheduleToStartTimeout: '2s',
    });
    expect(workerCacheOptions(20)).toMatchObject({ maxCachedWorkflows: 20, maxConcurrentWorkflowTaskExecutions: 5, maxConcurrentWorkflowTaskPolls: 2 });
    expect(workerCacheOptions(5)).toMatchObject({ maxConcurrentWorkflowTaskExecutions: 2, maxConcurrentWorkflowTaskPolls: 2 });
    expect(workerCacheOptions(2)).toMatchObject({ maxConcurrentWorkflowTaskExecutions: 2 });
  });

  it.each([1, 0, -3, 2.5, Number.NaN])('refuses a cache of %p', (size) => {
    expect(() => workerCacheOptions(size)).toThrow(RangeError);
  });
});
