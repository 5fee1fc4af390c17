import type { WorkerOptions } from '@temporalio/worker';

/**
 * Worker options for a sticky cache of `maxCachedWorkflows` workflows, where open cases far outnumber it.
 *
 * - A workflow task for a workflow that is not cached waits, holding its task slot, until the worker has evicted
 *   the least recently used workflow, whatever that one is doing. With as many task slots as cache slots, that is
 *   often a workflow whose task is still running its local activity commit: that task is lost (core logs "Tried
 *   to complete untracked local activity"), the server times it out after 10 s and it runs again, commit included.
 *   Under load this feeds itself (more tasks wait, more get evicted mid-task) until opening stalls. So at most a
 *   quarter of the cache (and at most MAX_TASKS) runs at once: the least recently used workflows are then idle ones.
 * - Pollers: half of them on the normal task queue (new workflows, and tasks moved off a sticky queue), half on
 *   this worker's sticky queue, where the server puts every task of a workflow this worker ran last, cached or
 *   not. `nonStickyToStickyPollRatio` is the share of the normal queue (the SDK's 0.2 gives it one poller in five);
 *   at 1, which Steward had, the sticky queue got the minimum of one poller, and its tasks waited there until the
 *   sticky timeout moved them (below). bench:complaints with 3,000 open on a cache of 500, in the first minute of
 *   ladder steps (the worker keeping up): step lateness p99 2.0 s with 1, 0.28 s with 0.5.
 * - A task the server puts on this worker's sticky queue moves to the normal queue after STICKY_TIMEOUT, not the
 *   SDK's 10 s: when the worker is behind, its tasks wait no longer than that for it before any worker may take
 *   them. With the one sticky poller above, timers' tasks started 10.0 s (p50) after the timer fired with 10 s,
 *   and 2.0 s with 2 s.
 * test/workflows/complaint-cache.workflow.spec.ts runs 20 complaints on a cache of 5 and sees no commit twice.
 */
/**
 * Workflow tasks one worker runs at once. Its workflows run on one thread (reuseV8Context), so more slots mostly
 * queue started tasks inside the worker, where their 10 s start-to-close timeout runs: on a busy 2-core machine
 * the SDK's 40 let ladder tasks time out after their commit had already been written (bench, Dec 2026). But every
 * poll waiting for a task holds a slot too, half of them on the sticky queue: with 10 slots and 5 pollers, the
 * sticky queue's 3 idle polls left too few for new workflows, and change-request submissions fell from 53-55 to
 * 46-48 a second (npm run bench, 2026-12-03); with 20 slots and 10 pollers, 56 (p99 1.3 s against 1.7-2.2 s), and
 * 3,000 complaints on a cache of 500 fired every step once, 2.1 task timeouts per complaint against 2.7.
 */
const MAX_TASKS = 20;

/** How long a task waits on the sticky queue before any worker may take it from the normal one (see above). */
const STICKY_TIMEOUT = '2s';

export function workerCacheOptions(
  maxCachedWorkflows: number,
): Pick<
  WorkerOptions,
  'maxCachedWorkflows' | 'maxConcurrentWorkflowTaskExecutions' | 'maxConcurrentWorkflowTaskPolls' | 'nonStickyToStickyPollRatio' | 'stickyQueueScheduleToStartTimeout'
> {
  if (!Number.isInteger(maxCachedWorkflows) || maxCachedWorkflows < 2) throw new RangeError(`maxCachedWorkflows must be an integer >= 2 (got ${maxCachedWorkflows})`);
  const tasks = Math.max(2, Math.min(MAX_TASKS, Math.floor(maxCachedWorkflows / 4)));
  return {
    maxCachedWorkflows,
    maxConcurrentWorkflowTaskExecutions: tasks,
    maxConcurrentWorkflowTaskPolls: Math.max(2, Math.floor(tasks / 2)),
    nonStickyToStickyPollRatio: 0.5,
    stickyQueueScheduleToStartTimeout: STICKY_TIMEOUT,
  };
}
