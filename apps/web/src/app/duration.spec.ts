/// <reference types="jest" />
import { isoDurationMs as apiDurationMs } from '../../../../libs/domain/src/duration';
import { isoDurationMs } from './duration';

describe('the console reads ISO 8601 durations as the API does', () => {
  it.each(['P14D', 'PT4H', 'P1W', 'P2W', 'P1M', 'P1Y', 'P1DT2H30M', 'PT90M', 'PT1.5H', 'P1DT', 'P60D', 'PT24H', 'P1Y2M3DT4H5M6S'])('%s', (value) => {
    expect(isoDurationMs(value)).not.toBeNull();
    expect(isoDurationMs(value)).toBe(apiDurationMs(value));
  });

  it.each(['', 'P', 'PT', '14D', 'P-1D', 'P0D', 'PT0S', 'soon', 'P1H'])('refuses %j, as the API does', (value) => {
    expect(isoDurationMs(value)).toBeNull();
    expect(apiDurationMs(value)).toBeNull();
  });

  it('reads no duration from null or undefined', () => {
    expect(isoDurationMs(null)).toBeNull();
    expect(isoDurationMs(undefined)).toBeNull();
  });
});
