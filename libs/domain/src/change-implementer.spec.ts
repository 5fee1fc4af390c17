import { implementerProblem } from './change-implementer';

const alice = { id: 'alice', team: 'engineering', roles: ['employee'] };
const eve = { id: 'eve', team: 'engineering', roles: ['employee'] };
const ivan = { id: 'ivan', team: 'engineering', roles: ['employee', 'implementer'] };
const hank = { id: 'hank', team: 'staff', roles: ['hr'] };
const outsideImplementer = { id: 'olga', team: 'ops', roles: ['implementer'] };

describe('who may implement a change', () => {
  it('a standard change: the requester, a team mate or an implementer', () => {
    expect(implementerProblem('standard', alice, alice)).toBeNull();
    expect(implementerProblem('standard', alice, eve)).toBeNull();
    expect(implementerProblem('standard', alice, ivan)).toBeNull();
    expect(implementerProblem('standard', alice, outsideImplementer)).toBeNull();
  });

  it('a standard change naming someone from another team without the role is refused, naming the field and the rule', () => {
    expect(implementerProblem('standard', alice, hank)).toMatch(/^implementerId hank may not implement a standard change.*your team \(engineering\).*implementer role/);
  });

  it('requesters without a team only share one with nobody', () => {
    const loner = { id: 'lou', team: null, roles: [] };
    expect(implementerProblem('standard', loner, { id: 'kim', team: null, roles: [] })).not.toBeNull();
  });

  it('normal and emergency changes may name any directory user: an approver sees who before anyone gets a task', () => {
    expect(implementerProblem('normal', alice, hank)).toBeNull();
    expect(implementerProblem('emergency', alice, hank)).toBeNull();
  });
});
