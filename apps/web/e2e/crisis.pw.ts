import { expect, screenshot, test } from './fixtures';

test('sue declares a crisis, priya drafts the holding statement, priya and leo approve it and it is published', async ({ signIn }) => {
  const title = `Payment outage ${Date.now()}`;

  // priya (comms) may not declare a crisis (supervisor, manager or executive): no link for her.
  const priya = await signIn('priya');
  await expect(priya.getByRole('link', { name: 'Declare crisis' })).toHaveCount(0);

  // sue (supervisor) declares a major crisis with priya as comms lead and leo as legal.
  const sue = await signIn('sue');
  await sue.getByRole('link', { name: 'Declare crisis' }).click();
  const form = sue.getByTestId('form-declare-crisis');
  await form.getByLabel('Title').fill(title);
  await form.getByLabel('Description').fill('Card payments fail for every customer since 09:10.');
  await form.getByLabel('Severity').selectOption('major');
  await form.getByLabel('Category').fill('operational');
  await form.getByLabel('Commander').fill('sue');
  // legal must hold the legal role: the API's 400 lands beside the field
  await form.getByLabel('Comms lead').fill('priya');
  await form.getByLabel('Legal').fill('alice');
  await form.getByRole('button', { name: 'Submit' }).click();
  await expect(form.getByTestId('error-legalId')).toContainText('legal');
  await form.getByLabel('Legal').fill('leo');
  await form.getByRole('button', { name: 'Submit' }).click();
  await expect(sue).toHaveURL(/\/view\/crises\/[0-9a-f-]{36}$/);
  const caseUrl = new URL(sue.url()).pathname;
  await expect(sue.getByTestId('case-status')).toHaveAttribute('data-status', 'active');

  // the 24 h holding deadline and the notice deadlines run (major: employees within 2 h)
  const holding = sue.getByTestId('crisis-holding');
  await expect(holding).toHaveAttribute('data-status', 'running');
  await expect(holding).toContainText(/due in (23:5\d:\d\d|1d 00:00:00)/);
  const before = await holding.locator('.countdown-time').textContent();
  await expect(holding.locator('.countdown-time')).not.toHaveText(before!, { timeout: 5_000 });
  await expect(sue.getByTestId('notice-employees')).toContainText(/due in (01:5\d:\d\d|02:00:00)/);
  await expect(sue.getByTestId('notice-regulators')).toHaveAttribute('data-status', 'running');

  // priya drafts the holding statement (an empty text is refused beside the field)
  await priya.goto(caseUrl);
  const draft = priya.getByTestId('form-statement');
  await expect(draft.getByLabel('Kind')).toHaveValue('holding');
  await draft.getByRole('button', { name: 'Submit' }).click();
  await expect(draft.getByTestId('error-text')).toBeVisible();
  await draft.getByRole('group', { name: 'Audience' }).getByLabel('suppliers').uncheck();
  await draft.getByRole('group', { name: 'Audience' }).getByLabel('regulators').uncheck();
  await draft.getByLabel('Text').fill('We are aware that card payments are failing and are working to restore them. Next update by 13:00.');
  await draft.getByRole('button', { name: 'Submit' }).click();
  const statement = priya.getByTestId('statement-1');
  await expect(statement).toHaveAttribute('data-status', 'pending_approval');

  // the commander cannot approve a statement: no decision form for sue
  await sue.reload();
  await expect(sue.getByTestId('statement-1')).toBeVisible();
  await expect(sue.getByTestId('form-decide-statement-1')).toHaveCount(0);

  // priya approves; leo approves from his inbox task; then it is published
  const decide = priya.getByTestId('form-decide-statement-1');
  await decide.getByLabel('Decision').selectOption('approve');
  await decide.getByRole('button', { name: 'Submit' }).click();
  await expect(statement).toContainText('priya: approve');
  await expect(priya.getByTestId('form-decide-statement-1')).toHaveCount(0);

  const leo = await signIn('leo');
  await leo.getByTestId('tasks').getByRole('link', { name: new RegExp(title) }).click();
  await expect(leo).toHaveURL(new RegExp(`${caseUrl}$`));
  // from the keyboard: the decision (approve by default), Tab past the comment to the button, Enter
  const leoDecide = leo.getByTestId('form-decide-statement-1');
  await leoDecide.getByLabel('Decision').focus();
  await expect(leoDecide.getByLabel('Decision')).toHaveValue('approve');
  await leo.keyboard.press('Tab');
  await expect(leoDecide.getByLabel('Comment')).toBeFocused();
  await leo.keyboard.press('Tab');
  await expect(leoDecide.getByRole('button', { name: 'Submit' })).toBeFocused();
  await leo.keyboard.press('Enter');
  await expect(leo.getByTestId('statement-1')).toHaveAttribute('data-status', 'published');
  await expect(leo.getByTestId('crisis-holding')).toHaveAttribute('data-status', 'published');
  await expect(leo.getByTestId('notice-employees')).toHaveAttribute('data-status', 'sent');
  await expect(leo.getByTestId('notice-regulators')).toHaveAttribute('data-status', 'running');
  await expect(leo.getByTestId('timeline')).toContainText('statement published');

  // sue, the commander, sees the update cadence start (major: every 4 h)
  await sue.reload();
  await expect(sue.getByTestId('crisis-update')).toContainText(/due in (03:5\d:\d\d|04:00:00)/);
  await expect(sue.getByTestId('form-recovery')).toBeVisible();
  await screenshot(sue, 'crisis');

  // the same page in Chinese, at phone width
  const phone = await signIn('priya', { phone: true });
  await phone.goto(caseUrl);
  await phone.getByLabel('Language').selectOption('zh');
  await expect(phone.getByTestId('case-status')).toHaveText('执行中');
  await expect(phone.getByTestId('statement-1')).toContainText('已发布');
  await screenshot(phone, 'crisis-zh-phone');
});
