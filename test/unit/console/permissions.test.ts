import { ROLES, type Role } from '../../../src/services/auth';
import {
  allowed,
  CAPABILITIES,
  type Capability,
  CONSOLE_ROUTES,
  FORWARD_TEAMS,
  HOME,
  REQUEST_STATUS_SCOPE,
  TEAMS,
} from '../../../src/services/console/permissions';

const caps = Object.keys(CAPABILITIES) as Capability[];
const can = (role: Role) => caps.filter((c) => allowed(role, c)).sort();

describe('console permission table', () => {
  it('gives each role exactly its capabilities', () => {
    expect(can('manager')).toEqual([...caps].sort());
    expect(can('assistant')).toEqual(
      [
        'console:use',
        'queue:read',
        'request:read',
        'request:decide',
        'request:edit',
        'request:note',
        'forwards:read',
        'forwards:answer',
        'channels:read',
        'outbox:retry',
        'media:read',
        'erp:edit',
        'erp:export',
        'release:plan',
        'shipping:record',
        'kpis:read',
        'request:cost',
      ].sort(),
    );
    expect(can('sac')).toEqual(
      ['console:use', 'queue:read', 'request:read', 'case:open', 'case:forward', 'media:read'].sort(),
    );
    expect(can('commercial')).toEqual(['console:use', 'queue:read', 'request:read', 'media:read', 'kpis:read'].sort());
    expect(can('finance')).toEqual(
      [
        'console:use',
        'queue:read',
        'request:read',
        'forwards:read',
        'forwards:answer',
        'media:read',
        'finance:release',
        'kpis:read',
      ].sort(),
    );
    for (const team of ['projects', 'training'] as const) {
      expect(can(team)).toEqual(['console:use', 'forwards:read', 'forwards:answer', 'media:read'].sort());
    }
  });

  it('commercial is read-only: no POST route but logout', () => {
    const posts = Object.entries(CONSOLE_ROUTES).filter(([k, cap]) => k.startsWith('POST ') && cap !== 'public');
    const commercialPosts = posts.filter(([, cap]) => allowed('commercial', cap as Capability)).map(([k]) => k);
    expect(commercialPosts).toEqual(['POST /console/logout']);
  });

  it('names a known capability for every route, and only login and static files are public', () => {
    for (const [route, cap] of Object.entries(CONSOLE_ROUTES)) {
      expect([route, cap === 'public' || cap in CAPABILITIES]).toEqual([route, true]);
    }
    expect(
      Object.entries(CONSOLE_ROUTES)
        .filter(([, cap]) => cap === 'public')
        .map(([k]) => k)
        .sort(),
    ).toEqual(['GET /console/login', 'GET /console/static/:file', 'POST /console/login']);
    expect(CONSOLE_ROUTES['GET /console/media/:sha']).toBe('media:read');
  });

  it('scopes forwards by team: teams see their own, assistant and manager all', () => {
    expect(FORWARD_TEAMS.manager.answer).toEqual(TEAMS);
    expect(FORWARD_TEAMS.assistant).toEqual({ read: TEAMS, answer: ['assistance'] });
    expect(FORWARD_TEAMS.projects).toEqual({ read: ['projects'], answer: ['projects'] });
    expect(FORWARD_TEAMS.finance).toEqual({ read: ['finance'], answer: ['finance'] });
    for (const role of ROLES) {
      // Reading a team's inbox needs the capability; answering a team needs reading it.
      expect([role, FORWARD_TEAMS[role].read.length > 0]).toEqual([role, allowed(role, 'forwards:read')]);
      for (const t of FORWARD_TEAMS[role].answer) expect(FORWARD_TEAMS[role].read).toContain(t);
    }
  });

  it('lets finance see charged requests and what follows them only, and sends each role home', () => {
    expect(REQUEST_STATUS_SCOPE).toEqual({ finance: ['charged', 'imported', 'released', 'shipped', 'closed'] });
    for (const role of ROLES) {
      expect([role, HOME[role] === 'queue' ? allowed(role, 'queue:read') : allowed(role, 'forwards:read')]).toEqual([
        role,
        true,
      ]);
    }
  });
});
