import { expect, screenshot, test } from './fixtures';

test('carol submits a purchase request, mike approves it from his inbox, fiona approves and fulfils it', async ({ signIn }) => {
  const title = `Laptops for the CAB ${Date.now()}`;

  // carol: the form follows the type's field schema (GET /approval-types); the API's 400 lands beside each field.
  const carol = await signIn('carol');
  await carol.getByRole('link', { name: 'New request' }).click();
  const picker = carol.getByLabel('Request type');
  await picker.selectOption('access');
  const form = carol.getByTestId('form-submit-request');
  await expect(form.getByLabel('Access level')).toBeVisible();
  await picker.selectOption('purchase');
  await expect(form.getByLabel('Access level')).toHaveCount(0);
  await expect(carol.getByTestId('route-preview')).toContainText('manager → finance (if it applies) → executive (if it applies)');
  await form.getByRole('button', { name: 'Submit' }).click();
  await expect(form.getByTestId('error-title')).toBeVisible();
  await expect(form.getByLabel('Title')).toHaveAttribute('aria-invalid', 'true');
  // the type's own fields are checked against its schema: each message beside its field
  await form.getByLabel('Title').fill(title);
  await form.getByRole('button', { name: 'Submit' }).click();
  await expect(form.getByTestId('error-fields.amount.value')).toBeVisible();
  await expect(form.getByTestId('error-fields.vendor')).toBeVisible();
  await expect(form.getByTestId('error-title')).toHaveCount(0);
  await screenshot(carol, 'new-approval-request');

  await form.getByLabel('Amount', { exact: true }).fill('25000');
  await form.getByLabel('Vendor').fill('Lenovo');
  await form.getByLabel('Justification').fill('Three laptops for the new CAB members');
  await form.getByRole('button', { name: 'Submit' }).click();
  await expect(carol).toHaveURL(/\/view\/approval-requests\/[0-9a-f-]{36}$/);
  const caseUrl = new URL(carol.url()).pathname;
  await expect(carol.getByTestId('case-status')).toHaveAttribute('data-status', 'pending_approval');
  // 25,000 > 10,000: the finance level applies, the executive one does not
  const levels = carol.getByTestId('approval-levels');
  await expect(levels.locator('li.level')).toHaveCount(2);
  await expect(levels.locator('li.level').first()).toContainText('mike');
  await expect(levels.locator('li.level').nth(1)).toContainText('fiona');
  await expect(carol.getByText('25,000 CNY')).toBeVisible();
  // the requester never decides
  await expect(carol.getByTestId('form-decide')).toHaveCount(0);
  await expect(carol.getByTestId('form-withdraw')).toBeVisible();

  // mike, carol's manager: the task is in his inbox; a reject without a comment is refused beside the comment.
  const mike = await signIn('mike');
  await mike.getByTestId('tasks').getByRole('link', { name: new RegExp(title) }).click();
  await expect(mike).toHaveURL(new RegExp(`${caseUrl}$`));
  const decide = mike.getByTestId('form-decide');
  await decide.getByLabel('Decision').selectOption('reject');
  await decide.getByRole('button', { name: 'Submit' }).click();
  await expect(decide.getByTestId('error-comment')).toBeVisible();
  await expect(decide.getByLabel('Comment')).toHaveAttribute('aria-invalid', 'true');
  await decide.getByLabel('Decision').selectOption('approve');
  await decide.getByLabel('Comment').fill('fine by me');
  await decide.getByRole('button', { name: 'Submit' }).click();
  await expect(mike.getByTestId('approval-levels').locator('li.level').first()).toContainText('fine by me');
  await expect(mike.getByTestId('form-decide')).toHaveCount(0);
  await expect(mike.getByTestId('case-status')).toHaveAttribute('data-status', 'pending_approval');

  // fiona (finance): approves the second level, then reports the purchase made.
  const fiona = await signIn('fiona');
  await fiona.getByTestId('tasks').getByRole('link', { name: new RegExp(title) }).click();
  const decide2 = fiona.getByTestId('form-decide');
  await decide2.getByLabel('Decision').selectOption('approve');
  await decide2.getByRole('button', { name: 'Submit' }).click();
  await expect(fiona.getByTestId('case-status')).toHaveAttribute('data-status', 'approved');
  const fulfil = fiona.getByTestId('form-fulfil');
  await fulfil.getByLabel('Note').fill('PO-2026-0042');
  await fulfil.getByRole('button', { name: 'Submit' }).click();
  await expect(fiona.getByTestId('case-status')).toHaveAttribute('data-status', 'fulfilled');
  await expect(fiona.getByTestId('timeline')).toContainText('by mike');
  await expect(fiona.getByTestId('timeline')).toContainText('Fulfilled');
  await screenshot(fiona, 'approval-request');

  // carol's list shows it fulfilled
  await carol.getByRole('link', { name: 'Approval requests' }).click();
  await expect(carol.getByTestId('case-list').locator('li', { hasText: title })).toContainText('Fulfilled');
});
