import { expect, screenshot, test } from './fixtures';

test('alice submits a change, bob approves it from his inbox, ivan implements it, alice verifies', async ({ signIn }) => {
  const title = `Upgrade billing DB ${Date.now()}`;

  // alice: the form shows the risk before submitting, and the API's 400 lands beside the fields it names.
  const alice = await signIn('alice');
  await expect(alice.getByTestId('whoami')).toContainText('Alice Sun');
  await expect(alice.getByTestId('whoami')).toContainText('employee');
  // keyboard: the first Tab reaches the skip link, which moves focus to the page
  await alice.goto('/inbox');
  await alice.keyboard.press('Tab');
  await expect(alice.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await alice.keyboard.press('Enter');
  await expect(alice.locator('main')).toBeFocused();
  await alice.getByRole('link', { name: 'New change' }).click();
  const form = alice.getByTestId('form-submit-change');
  await form.getByLabel('Probability').selectOption('high');
  await form.getByLabel('Impact').selectOption('high');
  await expect(form.getByTestId('risk-preview')).toHaveAttribute('data-risk', 'very_high');
  await form.getByLabel('Probability').selectOption('low');
  await form.getByLabel('Impact').selectOption('medium');
  await expect(form.getByTestId('risk-preview')).toHaveAttribute('data-risk', 'low');
  await form.getByRole('button', { name: 'Submit' }).click();
  await expect(form.getByTestId('error-title')).toBeVisible();
  await expect(form.getByTestId('error-implementerId')).toBeVisible();
  await expect(form.getByLabel('Title')).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByLabel('Title')).toBeFocused();
  await expect(form.getByRole('alert')).toContainText('Please fix the marked fields');
  await screenshot(alice, 'new-change-request-validation');

  await form.getByLabel('Title').fill(title);
  await form.getByLabel('Description').fill('PostgreSQL 15 -> 16');
  await form.getByLabel('Affected systems').fill('billing-db, billing-api');
  await form.getByLabel('Rollback plan').fill('Restore the snapshot');
  await form.getByLabel('Implementer').fill('ivan');
  await form.getByRole('button', { name: 'Submit' }).click();
  await expect(alice).toHaveURL(/\/view\/change-requests\/[0-9a-f-]{36}$/);
  const caseUrl = new URL(alice.url()).pathname;
  await expect(alice.getByTestId('case-status')).toHaveAttribute('data-status', 'pending_approval');
  await expect(alice.getByTestId('risk-level')).toHaveAttribute('data-risk', 'low');
  await expect(alice.getByTestId('approval-levels')).toContainText('bob');
  // alice may not decide on her own change: no decision form for her.
  await expect(alice.getByTestId('form-decide')).toHaveCount(0);
  await expect(alice.getByTestId('form-withdraw')).toBeVisible();

  // bob: the task is in his inbox; he approves from the case page.
  const bob = await signIn('bob');
  const task = bob.getByTestId('tasks').getByRole('link', { name: new RegExp(title) });
  await expect(task).toBeVisible();
  await expect(bob.getByTestId('unread-count')).toHaveText('1 unread');
  await expect(bob.getByTestId('unread-badge')).toHaveText('1');
  await screenshot(bob, 'inbox');
  const note = bob.getByTestId('notifications').locator('li', { hasText: title });
  await note.getByRole('button', { name: /Mark as read/ }).click();
  await expect(bob.getByTestId('unread-count')).toHaveText('0 unread');
  await expect(note).toContainText('Read');
  await expect(bob.getByTestId('unread-badge')).toHaveCount(0);
  await task.click();
  await expect(bob).toHaveURL(new RegExp(`${caseUrl}$`));
  const decide = bob.getByTestId('form-decide');
  await decide.getByLabel('Decision').selectOption('approve');
  await decide.getByLabel('Comment').fill('go');
  await decide.getByRole('button', { name: 'Submit' }).click();
  // read your writes: the page shows the response at once
  await expect(bob.getByTestId('case-status')).toHaveAttribute('data-status', 'scheduled');
  await expect(bob.getByTestId('approval-levels')).toContainText('go');
  await expect(bob.getByTestId('form-decide')).toHaveCount(0);
  await bob.goto('/inbox');
  await expect(bob.getByTestId('tasks').getByRole('link', { name: new RegExp(title) })).toHaveCount(0);

  // ivan: starts and completes the implementation.
  const ivan = await signIn('ivan');
  await ivan.getByTestId('tasks').getByRole('link', { name: new RegExp(title) }).click();
  const impl = ivan.getByTestId('form-implementation');
  await impl.getByLabel('Event').selectOption('started');
  await impl.getByRole('button', { name: 'Submit' }).click();
  await expect(ivan.getByTestId('case-status')).toHaveAttribute('data-status', 'in_progress');
  const impl2 = ivan.getByTestId('form-implementation');
  await impl2.getByLabel('Event').selectOption('completed');
  await impl2.getByLabel('Note').fill('done');
  await impl2.getByRole('button', { name: 'Submit' }).click();
  await expect(ivan.getByTestId('case-status')).toHaveAttribute('data-status', 'implemented');

  // alice: verifies from her inbox; the timeline tells the whole story.
  await alice.goto('/inbox');
  await alice.getByTestId('tasks').getByRole('link', { name: new RegExp(title) }).click();
  const verify = alice.getByTestId('form-verification');
  await verify.getByLabel('Outcome').selectOption('verified');
  await verify.getByRole('button', { name: 'Submit' }).click();
  await expect(alice.getByTestId('case-status')).toHaveAttribute('data-status', 'closed');
  const timeline = alice.getByTestId('timeline');
  await expect(timeline).toContainText('Closed');
  await expect(timeline).toContainText('by bob');
  await expect(timeline).toContainText('by ivan');
  await screenshot(alice, 'change-request');
  // her list of change requests has it, closed
  await alice.getByRole('link', { name: 'Change requests' }).click();
  await expect(alice.getByTestId('case-list').locator('li', { hasText: title })).toContainText('Closed');

  // the same page in Chinese, at phone width
  const phone = await signIn('alice', { phone: true });
  await phone.goto(caseUrl);
  await phone.getByLabel('Language').selectOption('zh');
  await expect(phone.getByTestId('case-status')).toHaveText('已关闭');
  await expect(phone.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await screenshot(phone, 'change-request-zh-phone');
});
