/**
 * The baseline workflow for the bare-Temporal half of the benchmark: it does nothing, so a run costs
 * one start RPC plus one workflow task. Bundled by the bench's in-process worker from dist/.
 */
export async function emptyWorkflow(): Promise<void> {
  return;
}
