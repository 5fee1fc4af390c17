import { compensationNeedsApproval, cumulativeCompensation, PastCompensation } from './compensation';

const granted = (amount: number, currency = 'CNY', status: PastCompensation['status'] = 'not_required'): PastCompensation => ({
  amount,
  currency,
  status,
  at: '2026-01-01T00:00:00.000Z',
});

describe('compensation approval threshold (cumulative over the complaint)', () => {
  it('a first compensation at the threshold needs no approval; above it does', () => {
    expect(compensationNeedsApproval([], { amount: 1000, currency: 'CNY' }, 1000)).toBe(false);
    expect(compensationNeedsApproval([], { amount: 1000.01, currency: 'CNY' }, 1000)).toBe(true);
  });

  it('no compensation never needs approval', () => {
    expect(compensationNeedsApproval([granted(5000)], null, 1000)).toBe(false);
  });

  it('a second payout at the threshold after a reopen needs approval: the sum is what counts', () => {
    expect(compensationNeedsApproval([granted(1000)], { amount: 1000, currency: 'CNY' }, 1000)).toBe(true);
    expect(compensationNeedsApproval([granted(400), granted(400)], { amount: 300, currency: 'CNY' }, 1000)).toBe(true);
    expect(compensationNeedsApproval([granted(400), granted(300)], { amount: 300, currency: 'CNY' }, 1000)).toBe(false);
  });

  it('an approved earlier compensation counts too', () => {
    expect(cumulativeCompensation([granted(5000, 'CNY', 'approved'), granted(10)], { amount: 1, currency: 'CNY' })).toBe(5011);
  });

  it('an earlier grant in another currency cannot be added up: the proposal needs approval', () => {
    expect(compensationNeedsApproval([granted(10, 'USD')], { amount: 10, currency: 'CNY' }, 1000)).toBe(true);
    expect(cumulativeCompensation([granted(10, 'USD')], { amount: 10, currency: 'CNY' })).toBe(10);
  });
});
