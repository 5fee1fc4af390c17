import { allHandlersFinished, condition } from '@temporalio/workflow';

/**
 * Waits until no Update handler is running and everything is committed, so ending a run (return or
 * continue-as-new) abandons no accepted Update. `allHandlersFinished` is a predicate for `condition`, not a
 * promise; and an Update may be accepted while the final commit runs, hence the loop.
 */
export async function settle(commit: () => Promise<unknown>): Promise<void> {
  do {
    await condition(allHandlersFinished);
    await commit();
  } while (!allHandlersFinished());
}
