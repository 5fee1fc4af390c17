import { approvalRoute, ChangeType, needsPostImplementationReview, routingError } from './change-request';
import { RiskLevel } from './risk';

const managerLevel = { name: 'manager', rule: 'any', source: { kind: 'manager_of_requester' } };
const cabTwoOfM = { name: 'cab', rule: 'n_of_m', n: 2, source: { kind: 'role', role: 'cab' } };
const executiveLevel = { name: 'executive', rule: 'any', source: { kind: 'role', role: 'executive' } };

describe('approvalRoute', () => {
  it.each<RiskLevel>(['very_low', 'low', 'medium', 'high', 'very_high'])(
    'pre-approves a standard change (empty route) at %s risk',
    (risk) => {
      expect(approvalRoute('standard', risk)).toEqual([]);
    },
  );

  it.each<RiskLevel>(['very_low', 'medium', 'very_high'])('sends an emergency change at %s risk to one CAB approval', (risk) => {
    expect(approvalRoute('emergency', risk)).toEqual([{ name: 'cab', rule: 'n_of_m', n: 1, source: { kind: 'role', role: 'cab' } }]);
  });

  it.each<[RiskLevel, object[]]>([
    ['very_low', [managerLevel]],
    ['low', [managerLevel]],
    ['medium', [managerLevel]],
    ['high', [managerLevel, cabTwoOfM]],
    ['very_high', [managerLevel, cabTwoOfM, executiveLevel]],
  ])('routes a normal change at %s risk through the expected levels', (risk, expected) => {
    expect(approvalRoute('normal', risk)).toEqual(expected);
  });

  it('lists the levels of a very_high normal change in order: manager, cab, executive', () => {
    expect(approvalRoute('normal', 'very_high').map((l) => l.name)).toEqual(['manager', 'cab', 'executive']);
  });

  it('returns a fresh route each time, so callers cannot corrupt later routes', () => {
    const first = approvalRoute('normal', 'high');
    first.push({ ...first[0], name: 'extra' });
    expect(approvalRoute('normal', 'high')).toHaveLength(2);
  });
});

describe('routingError', () => {
  it.each<[ChangeType, RiskLevel, string | null]>([
    ['standard', 'very_low', null],
    ['standard', 'low', null],
    ['standard', 'medium', 'standard_requires_low_risk'],
    ['standard', 'high', 'standard_requires_low_risk'],
    ['standard', 'very_high', 'standard_requires_low_risk'],
    ['normal', 'very_low', null],
    ['normal', 'very_high', null],
    ['emergency', 'very_low', null],
    ['emergency', 'very_high', null],
  ])('a %s change at %s risk gives %s', (type, risk, expected) => {
    expect(routingError(type, risk)).toBe(expected);
  });
});

describe('needsPostImplementationReview', () => {
  it.each<[ChangeType, boolean]>([
    ['emergency', true],
    ['normal', false],
    ['standard', false],
  ])('a %s change needs a post-implementation review: %s', (type, expected) => {
    expect(needsPostImplementationReview(type)).toBe(expected);
  });
});
