import { expect, screenshot, test } from './fixtures';

test('an agent answers a complaint before its SLA breaches and sees the countdown', async ({ signIn }) => {
  const subject = `Invoice charged twice ${Date.now()}`;

  // sue (supervisor) logs the complaint; priority follows severity x tier before submitting.
  const sue = await signIn('sue');
  await sue.getByRole('link', { name: 'New complaint' }).click();
  const form = sue.getByTestId('form-open-complaint');
  await form.getByLabel('Customer id').fill('cust-42');
  await form.getByLabel('Customer name').fill('Acme Ltd');
  await form.getByLabel('Customer tier').selectOption('A');
  await form.getByLabel('Severity').selectOption('critical');
  await expect(form.getByTestId('priority-preview')).toContainText('P1');
  await form.getByLabel('Severity').selectOption('high');
  await form.getByLabel('Customer tier').selectOption('B');
  await expect(form.getByTestId('priority-preview')).toContainText('P2');
  await form.getByLabel('Channel').selectOption('email');
  await form.getByLabel('Subject').fill(subject);
  await form.getByLabel('Description').fill('The March invoice was charged twice.');
  await screenshot(sue, 'new-complaint');
  await form.getByRole('button', { name: 'Submit' }).click();
  await expect(sue).toHaveURL(/\/view\/complaints\/[0-9a-f-]{36}$/);
  const caseUrl = new URL(sue.url()).pathname;
  await expect(sue.getByTestId('priority')).toHaveText('P2');
  await expect(sue.getByTestId('case-status')).toHaveAttribute('data-status', 'open');
  // the owner is the least loaded agent: whoever the API picked
  const ownerId = (await sue.getByText('Owner', { exact: true }).locator('xpath=following-sibling::dd').textContent())!.trim();
  expect(['lena', 'sam', 'tina']).toContain(ownerId);

  // the owner: task in the inbox, a running first-response countdown (P2: 1 h) that ticks.
  const agent = await signIn(ownerId);
  await agent.getByTestId('tasks').getByRole('link', { name: new RegExp(subject) }).click();
  await expect(agent).toHaveURL(new RegExp(`${caseUrl}$`));
  const first = agent.getByTestId('sla-firstResponse');
  await expect(first).toHaveAttribute('data-status', 'running');
  await expect(first).toContainText(/due in 00:5\d:\d\d|due in 01:00:00/);
  const before = await first.locator('.countdown-time').textContent();
  await expect(first.locator('.countdown-time')).not.toHaveText(before!, { timeout: 5_000 });
  await expect(agent.getByTestId('sla-resolution')).toHaveAttribute('data-status', 'running');
  await screenshot(agent, 'complaint');

  // a 400 is shown beside the field: an empty message
  const respond = agent.getByTestId('form-respond');
  await respond.getByRole('button', { name: 'Submit' }).click();
  await expect(respond.getByTestId('error-message')).toBeVisible();
  await respond.getByLabel('Message').fill('Sorry about that: the second charge is refunded today.');
  await respond.getByRole('button', { name: 'Submit' }).click();
  await expect(agent.getByTestId('case-status')).toHaveAttribute('data-status', 'in_progress');
  await expect(first).toHaveAttribute('data-status', 'met');
  await expect(first).toContainText('met');
  await expect(agent.getByTestId('sla-update')).toHaveAttribute('data-status', 'running');
  await expect(agent.getByTestId('timeline')).toContainText(`by ${ownerId}`);

  // sue may not respond (only the owner may): no respond form for her, but as a supervisor she may pause.
  await sue.reload();
  await expect(sue.getByTestId('case-status')).toHaveAttribute('data-status', 'in_progress');
  await expect(sue.getByTestId('form-respond')).toHaveCount(0);
  await expect(sue.getByTestId('form-pause')).toBeVisible();
});
