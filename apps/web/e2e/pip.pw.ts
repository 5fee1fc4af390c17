import { expect, screenshot, test } from './fixtures';

test('mike drafts a PIP for dave, hank (HR) approves it, dave acknowledges it; outsiders cannot see it', async ({ signIn }) => {
  // mike, dave's manager: the form names every bad field the API reports (a duration outside the policy).
  const mike = await signIn('mike');
  await mike.getByRole('link', { name: 'New PIP' }).click();
  const form = mike.getByTestId('form-draft-pip');
  await mike.getByLabel('Number of goals').selectOption('2');
  await form.getByLabel('Employee').fill('dave');
  await form.getByLabel('Reason').fill('Change reviews missed their deadline in 5 of the last 8 weeks.');
  await form.getByLabel('Goal 1: what to achieve').fill('Review changes on time');
  await form.getByLabel('Goal 1: how it is measured').fill('Share of CAB reviews done within 2 working days');
  await form.getByLabel('Goal 1: target').fill('95%');
  await form.getByLabel('Goal 2: what to achieve').fill('Write review notes');
  await form.getByLabel('Goal 2: how it is measured').fill('Reviews with written notes');
  await form.getByLabel('Goal 2: target').fill('every review');
  await form.getByLabel('Resources').fill('CAB checklist training');
  await form.getByLabel("Manager's support").fill('Weekly 1:1');
  await form.getByLabel('Duration').fill('P5D');
  await form.getByRole('button', { name: 'Submit' }).click();
  await expect(form.getByTestId('error-duration')).toBeVisible();
  await expect(form.getByLabel('Duration')).toHaveAttribute('aria-invalid', 'true');
  await form.getByLabel('Duration').fill('P60D');
  await form.getByRole('button', { name: 'Submit' }).click();
  await expect(mike).toHaveURL(/\/view\/pips\/[0-9a-f-]{36}$/);
  const caseUrl = new URL(mike.url()).pathname;
  await expect(mike.getByTestId('case-status')).toHaveAttribute('data-status', 'pending_hr_approval');
  await expect(mike.getByTestId('pip-goals').locator('li')).toHaveCount(2);
  await expect(mike.getByTestId('approval-levels')).toContainText('hank');
  // the manager never approves their own plan
  await expect(mike.getByTestId('form-decide')).toHaveCount(0);
  await expect(mike.getByTestId('form-withdraw')).toBeVisible();

  // confidential: alice may not see it; the page says so instead of failing
  const alice = await signIn('alice');
  await alice.goto(caseUrl);
  await expect(alice.getByRole('alert')).toHaveText('This case does not exist or you may not see it.');

  // hank (HR) approves from his inbox
  const hank = await signIn('hank');
  await hank.getByTestId('tasks').getByRole('link', { name: /performance improvement plan for dave/ }).click();
  await expect(hank).toHaveURL(new RegExp(`${caseUrl}$`));
  const decide = hank.getByTestId('form-decide');
  await decide.getByLabel('Decision').selectOption('approve');
  await decide.getByLabel('Comment').fill('Goals are measurable.');
  await decide.getByRole('button', { name: 'Submit' }).click();
  await expect(hank.getByTestId('case-status')).toHaveAttribute('data-status', 'awaiting_acknowledgement');
  await expect(hank.getByTestId('approval-levels')).toContainText('Goals are measurable.');
  // the acknowledgement deadline runs (P5D)
  await expect(hank.getByTestId('pip-acknowledgement')).toHaveAttribute('data-status', 'running');
  await expect(hank.getByTestId('pip-acknowledgement')).toContainText(/due in (4d 23:5\d:\d\d|5d 00:00:00)/);

  // dave acknowledges from his inbox; a refusal would need a comment
  const dave = await signIn('dave');
  await dave.getByTestId('tasks').getByRole('link', { name: /Acknowledge your performance improvement plan/ }).click();
  await expect(dave).toHaveURL(new RegExp(`${caseUrl}$`));
  const ack = dave.getByTestId('form-acknowledge');
  await ack.getByLabel('Your answer').selectOption('false');
  await ack.getByRole('button', { name: 'Submit' }).click();
  await expect(ack.getByTestId('error-comment')).toBeVisible();
  await ack.getByLabel('Your answer').selectOption('true');
  await ack.getByRole('button', { name: 'Submit' }).click();
  await expect(dave.getByTestId('case-status')).toHaveAttribute('data-status', 'active');
  await expect(dave.getByTestId('pip-acknowledgement')).toHaveAttribute('data-status', 'acknowledged');
  // active: the first check-in (every P14D) and the plan's end run
  await expect(dave.getByTestId('pip-check-in-1')).toContainText(/due in 1[34]d/);
  await expect(dave.getByTestId('pip-ends')).toContainText(/due in (59d|60d)/);
  await expect(dave.getByTestId('form-comment')).toBeVisible();
  await expect(dave.getByTestId('form-check-in')).toHaveCount(0);
  await expect(dave.getByTestId('timeline')).toContainText('by hank');

  // mike records the first check-in, rating each goal
  await mike.reload();
  const checkIn = mike.getByTestId('form-check-in');
  await checkIn.getByLabel('1. Review changes on time').selectOption('at_risk');
  await checkIn.getByLabel('2. Write review notes').selectOption('on_track');
  await checkIn.getByLabel('Note', { exact: true }).fill('Two reviews late this week; notes are good.');
  await checkIn.getByRole('button', { name: 'Submit' }).click();
  await expect(mike.getByTestId('pip-check-ins')).toContainText('Two reviews late this week');
  await expect(mike.getByTestId('pip-goals').locator('li').first()).toContainText('at risk');
  await screenshot(mike, 'pip');

  // the employee's view in Chinese, at phone width
  const phone = await signIn('dave', { phone: true });
  await phone.goto(caseUrl);
  await phone.getByLabel('Language').selectOption('zh');
  await expect(phone.getByTestId('case-status')).toHaveText('执行中');
  await expect(phone.getByTestId('pip-acknowledgement')).toContainText('已确认');
  await expect(phone.getByTestId('form-comment')).toContainText('填写您的意见');
  await screenshot(phone, 'pip-zh-phone');
});
