import { isoDurationMs } from './duration';

describe('isoDurationMs', () => {
  it.each<[string, number]>([
    ['PT24H', 86_400_000],
    ['P1D', 86_400_000],
    ['PT48H', 172_800_000],
    ['PT4H', 14_400_000],
    ['PT15M', 900_000],
    ['PT0.5S', 500],
    ['PT1.5H', 5_400_000],
    ['P1DT1H', 90_000_000],
    ['P1W', 604_800_000],
  ])('%s is %d ms', (value, ms) => {
    expect(isoDurationMs(value)).toBe(ms);
  });

  it.each(['tomorrow', '', '24h', 'pt24h', '86400000', 'P1H', 'PT', 'P'])('returns null for %j, which is not a positive ISO 8601 duration', (value) => {
    expect(isoDurationMs(value)).toBeNull();
  });

  it.each(['PT0S', 'P0D', 'PT0.0S'])('returns null for the zero duration %s', (value) => {
    expect(isoDurationMs(value)).toBeNull();
  });

  it.each(['PT-1S', '-PT1H', 'P-1D'])('returns null for the negative duration %s', (value) => {
    expect(isoDurationMs(value)).toBeNull();
  });
});
