import { readFileSync } from 'node:fs';
import { expect, screenshot, stackUrl, test } from './fixtures';

test('an auditor filters, pages, exports and verifies the audit trail', async ({ signIn, request }) => {
  // Cases of its own, through the public API, so the trail has more than one page of events: standard changes
  // that eve implements herself, so nobody else's inbox fills up.
  const { token } = (await (await request.post(`${stackUrl()}/dev/token`, { data: { userId: 'eve' } })).json()) as { token: string };
  for (let i = 0; i < 14; i++) {
    const res = await request.post(`${stackUrl()}/change-requests`, {
      headers: { Authorization: `Bearer ${token}` },
      data: {
        title: `Audit sample ${i}`,
        description: 'for the auditor',
        type: 'standard',
        probability: 'low',
        impact: 'low',
        affectedSystems: ['wiki'],
        plannedStart: '2026-01-01T00:00:00Z',
        plannedEnd: '2030-01-01T00:00:00Z',
        rollbackPlan: 'none needed',
        implementerId: 'eve',
      },
    });
    expect(res.status()).toBe(201);
  }

  // alice is not an auditor: no audit link, and the page says so.
  const alice = await signIn('alice');
  await expect(alice.getByRole('link', { name: 'Audit' })).toHaveCount(0);
  await alice.goto('/auditor');
  await expect(alice.getByRole('alert')).toContainText('Only auditors');

  const audrey = await signIn('audrey');
  await audrey.getByRole('link', { name: 'Audit' }).click();
  const rows = audrey.getByTestId('audit-table').locator('tbody tr');
  await expect(rows.first()).toBeVisible();

  // filter, then page through 25 at a time
  await audrey.getByLabel('Case type').fill('change_request');
  await audrey.getByLabel('Actor').fill('eve');
  await audrey.getByRole('button', { name: 'Apply filters' }).click();
  await expect(rows.filter({ hasNotText: 'eve' })).toHaveCount(0);
  await expect(rows.filter({ hasNotText: 'change_request' })).toHaveCount(0);
  await expect(rows.first()).toContainText('eve');
  await audrey.getByLabel('Actor').fill('');
  await audrey.getByRole('button', { name: 'Apply filters' }).click();
  await expect(rows).toHaveCount(25);
  const firstSeq = await rows.first().locator('td').first().textContent();
  await audrey.getByRole('button', { name: 'Next page' }).click();
  await expect(rows.first().locator('td').first()).not.toHaveText(firstSeq!);
  await audrey.getByRole('button', { name: 'First page' }).click();
  await expect(rows.first().locator('td').first()).toHaveText(firstSeq!);

  // export: JSONL, one event per line, then CSV with a header
  const [jsonl] = await Promise.all([audrey.waitForEvent('download'), audrey.getByRole('button', { name: 'Export JSONL' }).click()]);
  expect(jsonl.suggestedFilename()).toBe('steward-audit.jsonl');
  const lines = readFileSync((await jsonl.path())!, 'utf8').trim().split('\n');
  expect(lines.length).toBeGreaterThan(25);
  for (const line of lines) expect((JSON.parse(line) as { caseType: string }).caseType).toBe('change_request');
  await expect(audrey.getByTestId('export-result')).toContainText(`Exported ${lines.length} lines (JSONL)`);
  const [csv] = await Promise.all([audrey.waitForEvent('download'), audrey.getByRole('button', { name: 'Export CSV' }).click()]);
  const csvText = readFileSync((await csv.path())!, 'utf8');
  expect(csvText.split('\n')[0]).toContain('seq');
  expect(csvText.trim().split('\n').length).toBeGreaterThanOrEqual(lines.length + 1);

  // verify the whole chain
  await audrey.getByRole('button', { name: 'Verify the chain' }).click();
  const result = audrey.getByTestId('verify-result');
  await expect(result).toHaveAttribute('data-ok', 'true');
  await expect(result).toContainText('Chain intact');
  await screenshot(audrey, 'auditor');
});
