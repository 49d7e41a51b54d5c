import { canTransition, DECISION_TARGET, REQUEST_STATUSES, TRANSITIONS } from '../../../src/domain/request-status';

describe('request statuses', () => {
  it('lists exactly the contract statuses', () => {
    expect([...REQUEST_STATUSES].sort()).toEqual(
      ['submitted', 'returned', 'accepted', 'charged', 'rejected', 'imported', 'released', 'shipped', 'closed'].sort(),
    );
  });
  it('allows every decision on a submitted request', () => {
    for (const to of Object.values(DECISION_TARGET)) expect(canTransition('submitted', to)).toBe(true);
  });
  it('follows the life of a request and never goes back from closed', () => {
    expect(canTransition('accepted', 'imported')).toBe(true);
    expect(canTransition('imported', 'released')).toBe(true);
    expect(canTransition('released', 'shipped')).toBe(true);
    expect(canTransition('shipped', 'closed')).toBe(true);
    expect(TRANSITIONS.closed).toEqual([]);
    expect(canTransition('returned', 'accepted')).toBe(false);
    expect(canTransition('shipped', 'submitted')).toBe(false);
  });
  it('only names known statuses', () => {
    for (const [from, tos] of Object.entries(TRANSITIONS)) {
      expect(REQUEST_STATUSES).toContain(from);
      for (const to of tos) expect(REQUEST_STATUSES).toContain(to);
    }
  });
});
