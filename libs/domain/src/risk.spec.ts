import { Likelihood, riskAtLeast, riskLevel, RiskLevel } from './risk';

describe('riskLevel (probability x impact)', () => {
  it.each<[Likelihood, Likelihood, RiskLevel]>([
    ['low', 'low', 'very_low'],
    ['low', 'medium', 'low'],
    ['low', 'high', 'medium'],
    ['medium', 'low', 'low'],
    ['medium', 'medium', 'medium'],
    ['medium', 'high', 'high'],
    ['high', 'low', 'medium'],
    ['high', 'medium', 'high'],
    ['high', 'high', 'very_high'],
  ])('probability %s and impact %s is %s risk', (probability, impact, expected) => {
    expect(riskLevel(probability, impact)).toBe(expected);
  });
});

describe('riskAtLeast', () => {
  // Written out here rather than imported, so the test pins the order independently of RISK_LEVELS.
  const ascending: RiskLevel[] = ['very_low', 'low', 'medium', 'high', 'very_high'];
  const pairs = ascending.flatMap((level, i) => ascending.map((floor, j) => [level, floor, i >= j] as const));

  it.each(pairs)('riskAtLeast(%s, %s) is %s', (level, floor, expected) => {
    expect(riskAtLeast(level, floor)).toBe(expected);
  });

  it('treats every level as at least itself', () => {
    expect(ascending.every((level) => riskAtLeast(level, level))).toBe(true);
  });

  it('puts very_high above everything and very_low below everything', () => {
    expect(ascending.filter((floor) => riskAtLeast('very_high', floor))).toEqual(ascending);
    expect(ascending.filter((floor) => riskAtLeast('very_low', floor))).toEqual(['very_low']);
  });
});
