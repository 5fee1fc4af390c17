/**
 * Replays the recorded histories in ./histories against the current workflow code. A failure means workflows
 * already running in production would hit a nondeterminism error after a deploy: version the change (patched())
 * or, if no running workflow can be affected, re-record with
 *
 *   RECORD_HISTORIES=1 npx jest test/workflows/histories.spec.ts
 *
 * (RECORD_HISTORIES=complaint re-records only the histories whose file name starts with "complaint".)
 */
import { promises as fs } from 'node:fs';
import { basename, join } from 'node:path';
import type { History } from '@temporalio/common/lib/proto-utils';
import { Worker, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import * as workflows from '@steward/workflows';
import { bundleWorkflows, SETUP_TIMEOUT_MS } from './harness';
import { historyFromJSON as historyFromJson } from '@temporalio/common/lib/proto-utils';
import { HISTORIES_DIR, recordHistories } from './record-histories';

jest.setTimeout(60_000);

interface RecordedHistory {
  file: string;
  workflowType: string;
  history: History;
}

async function loadHistories(): Promise<RecordedHistory[]> {
  const files = (await fs.readdir(HISTORIES_DIR)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (file) => {
      const history = historyFromJson(JSON.parse(await fs.readFile(join(HISTORIES_DIR, file), 'utf8')));
      const workflowType = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? '(no start event)';
      return { file, workflowType, history };
    }),
  );
}

describe('recorded workflow histories', () => {
  let workflowBundle: WorkflowBundleWithSourceMap;
  let histories: RecordedHistory[];

  beforeAll(async () => {
    workflowBundle = await bundleWorkflows();
    const record = process.env.RECORD_HISTORIES;
    if (record && record !== '0') await recordHistories({ workflowBundle, only: record === '1' ? undefined : record.split(',') });
    histories = await loadHistories();
  }, SETUP_TIMEOUT_MS);

  it('has at least one history for every workflow type the worker hosts', () => {
    const workflowTypes = Object.entries(workflows)
      .filter(([, value]) => typeof value === 'function')
      .map(([name]) => name);
    expect(workflowTypes.length).toBeGreaterThan(0);
    const recorded = new Set(histories.map((h) => h.workflowType));
    expect(workflowTypes.filter((type) => !recorded.has(type))).toEqual([]);
  });

  it('replays every recorded history with the current workflow code', async () => {
    expect(histories.length).toBeGreaterThan(0);
    const failures: { file: string; error: string }[] = [];
    const replayed: string[] = [];
    const results = Worker.runReplayHistories(
      { workflowBundle, replayName: 'steward-histories' },
      histories.map((h) => ({ workflowId: basename(h.file, '.json'), history: h.history })),
    );
    for await (const result of results) {
      replayed.push(result.workflowId);
      if (result.error) failures.push({ file: `${result.workflowId}.json`, error: `${result.error.name}: ${result.error.message}` });
    }
    expect(failures).toEqual([]);
    expect(replayed.sort()).toEqual(histories.map((h) => basename(h.file, '.json')).sort());
  });
});
