import { applicableLevels, planApprovalRoute, RouteDirectory } from './route';
import { DEFAULT_APPROVAL_TYPES } from './types-file';
import type { ApprovalType } from './types';

const MANAGERS: Record<string, string | null> = { alice: 'bob', bob: 'sue', sue: 'mike', mike: 'grace', grace: null, fiona: 'grace' };
const ROLES: Record<string, string[]> = { grace: ['executive'], fiona: ['finance'], carol: ['cab'], dave: ['cab'], erin: ['cab'] };
const directory: RouteDirectory = {
  managerOf: async (id) => MANAGERS[id] ?? null,
  usersWithRole: async (role) => Object.keys(ROLES).filter((id) => ROLES[id].includes(role)),
  exists: async (id) => id in MANAGERS || id in ROLES,
};
const purchase = DEFAULT_APPROVAL_TYPES.purchase;
const money = (value: number) => ({ amount: { value, currency: 'CNY' }, vendor: 'v', justification: 'j' });

describe('applicableLevels', () => {
  it('leaves out levels whose when is false', () => {
    expect(applicableLevels(purchase, money(500)).map((l) => l.name)).toEqual(['manager']);
    expect(applicableLevels(purchase, money(50_000)).map((l) => l.name)).toEqual(['manager', 'finance']);
    expect(applicableLevels(purchase, money(100_001)).map((l) => l.name)).toEqual(['manager', 'finance', 'executive']);
  });
});

describe('planApprovalRoute', () => {
  it('resolves each selector to people and carries level timeouts', async () => {
    expect(await planApprovalRoute(purchase, money(200_000), 'alice', directory)).toEqual({
      ok: true,
      levels: [
        { name: 'manager', rule: 'any', approvers: ['bob'] },
        { name: 'finance', rule: 'any', approvers: ['fiona'] },
        { name: 'executive', rule: 'any', approvers: ['grace'], timeout: { after: 'P3D', afterMs: 3 * 86_400_000, onTimeout: 'escalate' } },
      ],
    });
  });

  it('is unroutable when the requester would approve their own request (fiona buys above 10 000)', async () => {
    expect(await planApprovalRoute(purchase, money(20_000), 'fiona', directory)).toEqual({
      ok: false,
      level: 'finance',
      problem: expect.stringContaining('no eligible approvers for level "finance"'),
    });
  });

  it('is unroutable without a manager, and for a user: that does not exist', async () => {
    expect(await planApprovalRoute(purchase, money(1), 'grace', directory)).toMatchObject({ ok: false, level: 'manager' });
    const type: ApprovalType = { title: 't', fields: {}, route: [{ name: 'x', approvers: 'user:nobody', rule: 'any' }] };
    expect(await planApprovalRoute(type, {}, 'alice', directory)).toMatchObject({ ok: false, level: 'x' });
  });

  it('seats nobody on two levels, and needs n approvers for n_of_m', async () => {
    const type: ApprovalType = {
      title: 't',
      fields: {},
      route: [
        { name: 'director', approvers: 'requester.manager.manager', rule: 'any' },
        { name: 'managers', approvers: 'user:sue', rule: 'any' },
      ],
    };
    expect(await planApprovalRoute(type, {}, 'alice', directory)).toMatchObject({ ok: false, level: 'managers' });
    const cab: ApprovalType = { title: 't', fields: {}, route: [{ name: 'cab', approvers: 'role:cab', rule: 'n_of_m', n: 3 }] };
    expect(await planApprovalRoute(cab, {}, 'alice', directory)).toEqual({ ok: true, levels: [{ name: 'cab', rule: 'n_of_m', n: 3, approvers: ['carol', 'dave', 'erin'] }] });
    expect(await planApprovalRoute(cab, {}, 'carol', directory)).toMatchObject({ ok: false, level: 'cab' });
  });
});
