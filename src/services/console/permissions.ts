import type { Team } from '../../../flows/routing';
import { ROLES, type Role } from '../auth';

/**
 * Who may do what in the staff console, as data (one place). Routes name a capability
 * (`CONSOLE_ROUTES`), capabilities list the roles (`CAPABILITIES`), and two scopes narrow what
 * a role sees inside a page: forwards by team (`FORWARD_TEAMS`) and requests by status
 * (`REQUEST_STATUS_SCOPE`). The console refuses to start a route that is missing from the table.
 */

const ALL = ROLES;
/** Roles that read the review queue and request pages. */
const READERS = ['assistant', 'manager', 'sac', 'commercial', 'finance'] as const satisfies readonly Role[];
/** Roles that review: decide, correct fields, write internal notes. */
const REVIEWERS = ['assistant', 'manager'] as const satisfies readonly Role[];

export const CAPABILITIES = {
  /** The home page (it sends each role to its own page) and logout. */
  'console:use': ALL,
  'queue:read': READERS,
  'request:read': READERS,
  'request:decide': REVIEWERS,
  'request:edit': REVIEWERS,
  'request:note': REVIEWERS,
  'case:open': ['sac', 'manager'],
  'case:forward': ['sac', 'manager'],
  'forwards:read': ['assistant', 'manager', 'projects', 'training', 'finance'],
  'forwards:answer': ['assistant', 'manager', 'projects', 'training', 'finance'],
  'channels:read': REVIEWERS,
  'outbox:retry': REVIEWERS,
  /** After the review: FOCCO import data and export, the day's release, shipping and closing. */
  'erp:edit': REVIEWERS,
  'erp:export': REVIEWERS,
  'release:plan': REVIEWERS,
  'shipping:record': REVIEWERS,
  /** Finance records the release of charged assistance. */
  'finance:release': ['finance', 'manager'],
  'users:manage': ['manager'],
  'audit:read': ['manager'],
  /** KPIs dashboard and its CSV (PRO-AST-01: "monitorar através do BI os indicadores"). */
  'kpis:read': ['assistant', 'manager', 'commercial', 'finance'],
  /** The month's revenue the assistance cost is measured against. */
  'kpis:revenue': ['manager'],
  /** Override a request's assistance cost (null = computed from the items). */
  'request:cost': REVIEWERS,
  /** Model usage: tokens and estimated cost per day and per conversation. */
  'llm:read': ['manager'],
  /** Photos: any logged-in staff member (forwards show the conversation, photos included). */
  'media:read': ALL,
} as const satisfies Record<string, readonly Role[]>;

export type Capability = keyof typeof CAPABILITIES;

export function allowed(role: Role, cap: Capability): boolean {
  return (CAPABILITIES[cap] as readonly Role[]).includes(role);
}

export type Method = 'GET' | 'POST';

/** Every console route (under `/console`) and the capability it needs; `public` needs no session. */
export const CONSOLE_ROUTES = {
  'GET /console/login': 'public',
  'POST /console/login': 'public',
  'GET /console/static/:file': 'public',
  'POST /console/logout': 'console:use',
  'GET /console': 'console:use',
  'GET /console/requests': 'queue:read',
  'GET /console/requests/:protocol': 'request:read',
  'POST /console/requests/:protocol/decision/preview': 'request:decide',
  'POST /console/requests/:protocol/decision': 'request:decide',
  'POST /console/requests/:protocol/items': 'request:edit',
  'POST /console/requests/:protocol/reason': 'request:edit',
  'POST /console/requests/:protocol/invoice': 'request:edit',
  'POST /console/requests/:protocol/notes': 'request:note',
  'GET /console/sac/new': 'case:open',
  'POST /console/sac/cases': 'case:open',
  'GET /console/sac/forward': 'case:forward',
  'POST /console/sac/forward': 'case:forward',
  'GET /console/forwards': 'forwards:read',
  'POST /console/forwards/:id/answer': 'forwards:answer',
  'GET /console/channels': 'channels:read',
  'POST /console/outbox/:id/retry': 'outbox:retry',
  'GET /console/users': 'users:manage',
  'POST /console/users': 'users:manage',
  'POST /console/users/:id/disable': 'users:manage',
  'POST /console/users/:id/enable': 'users:manage',
  'POST /console/users/:id/password': 'users:manage',
  'GET /console/audit': 'audit:read',
  'GET /console/llm': 'llm:read',
  'GET /console/media/:sha': 'media:read',
  'POST /console/requests/:protocol/erp': 'erp:edit',
  'POST /console/requests/:protocol/finance-release': 'finance:release',
  'POST /console/requests/:protocol/shipment': 'shipping:record',
  'POST /console/requests/:protocol/close': 'shipping:record',
  'GET /console/erp': 'erp:export',
  'POST /console/erp/export': 'erp:export',
  'GET /console/erp/batches/:id/:format': 'erp:export',
  'GET /console/releases': 'release:plan',
  'POST /console/releases': 'release:plan',
  'GET /console/finance': 'finance:release',
  'GET /console/kpis': 'kpis:read',
  'GET /console/kpis.csv': 'kpis:read',
  'POST /console/kpis/revenue': 'kpis:revenue',
  'GET /console/requests/:protocol/cost': 'kpis:read',
  'POST /console/requests/:protocol/cost': 'request:cost',
} as const satisfies Record<`${Method} /console${string}`, Capability | 'public'>;

export type ConsoleRoute = keyof typeof CONSOLE_ROUTES;

export const TEAMS = ['projects', 'training', 'assistance', 'finance'] as const satisfies readonly Team[];

/**
 * Forwards inbox per role: the teams whose questions a role reads, and those it may answer.
 * Assistant and manager see every team; the assistant answers the assistance team's questions.
 */
export const FORWARD_TEAMS: Record<Role, { read: readonly Team[]; answer: readonly Team[] }> = {
  manager: { read: TEAMS, answer: TEAMS },
  assistant: { read: TEAMS, answer: ['assistance'] },
  projects: { read: ['projects'], answer: ['projects'] },
  training: { read: ['training'], answer: ['training'] },
  finance: { read: ['finance'], answer: ['finance'] },
  sac: { read: [], answer: [] },
  commercial: { read: [], answer: [] },
};

/** Request statuses a role may see; absent = every status. Finance sees charged assistance and what follows it. */
export const REQUEST_STATUS_SCOPE: Partial<Record<Role, readonly string[]>> = {
  finance: ['charged', 'imported', 'released', 'shipped', 'closed'],
};

/** Where `/console` takes each role. */
export const HOME: Record<Role, 'queue' | 'forwards'> = {
  assistant: 'queue',
  manager: 'queue',
  sac: 'queue',
  commercial: 'queue',
  finance: 'forwards',
  projects: 'forwards',
  training: 'forwards',
};

export const ROLE_LABELS: Record<Role, string> = {
  assistant: 'Assistente de Assistência Técnica',
  manager: 'Gestor(a)',
  sac: 'SAC',
  projects: 'Projetos',
  training: 'Treinamento',
  finance: 'Financeiro',
  commercial: 'Comercial',
};
