import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

/**
 * The baseline workflow for the bare-Temporal half of the benchmark: it does nothing, so a run costs
 * one start RPC plus one workflow task. Bundled by the bench's in-process worker from dist/.
 */
export async function emptyWorkflow(): Promise<void> {
  return;
}

/** Answered at once: the floor for a read-your-writes API is Update-with-Start of this. */
export const readyUpdate = defineUpdate<string>('ready');

/** Update-with-Start's baseline: its update returns at once and the run ends in the same workflow task. */
export async function emptyUpdateWorkflow(): Promise<void> {
  let answered = false;
  setHandler(readyUpdate, () => {
    answered = true;
    return 'ready';
  });
  await condition(() => answered);
}
