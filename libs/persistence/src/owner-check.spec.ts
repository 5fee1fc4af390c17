import { ownerConnectionProblem } from './owner-check';

describe('ownerConnectionProblem', () => {
  it('a least-privilege role is fine', () => {
    expect(ownerConnectionProblem({ role: 'steward', superuser: false, ownsAuditTable: false })).toBeNull();
  });

  it('names the role and what to set, for the table owner and for a superuser', () => {
    expect(ownerConnectionProblem({ role: 'steward_owner', superuser: false, ownsAuditTable: true })).toMatch(
      /"steward_owner", the owner of the tables.*steward_app.*MIGRATIONS_DATABASE_URL/,
    );
    expect(ownerConnectionProblem({ role: 'postgres', superuser: true, ownsAuditTable: false })).toMatch(/"postgres", a superuser/);
  });
});
