/** Request statuses (CONTRACT §4) and the moves between them, as data. */
export const REQUEST_STATUSES = [
  'submitted',
  'returned',
  'accepted',
  'charged',
  'rejected',
  'imported',
  'released',
  'shipped',
  'closed',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const DECISIONS = ['accept', 'return', 'charge', 'reject'] as const;
export type Decision = (typeof DECISIONS)[number];

export const DECISION_TARGET: Record<Decision, RequestStatus> = {
  accept: 'accepted',
  return: 'returned',
  charge: 'charged',
  reject: 'rejected',
};

/**
 * Allowed transitions. A returned request goes back to `submitted` when the customer
 * resubmits; a rejected one can be reconsidered as charged (seed 6.2: "improcedente" may
 * still become assistência cobrada) or accepted.
 */
export const TRANSITIONS: Record<RequestStatus, readonly RequestStatus[]> = {
  submitted: ['accepted', 'returned', 'charged', 'rejected'],
  returned: ['submitted', 'rejected'],
  accepted: ['imported', 'charged', 'returned'],
  charged: ['imported', 'accepted', 'rejected'],
  rejected: ['charged', 'accepted'],
  imported: ['released'],
  released: ['shipped'],
  shipped: ['closed'],
  closed: [],
};

export function canTransition(from: RequestStatus, to: RequestStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Statuses that still count as "open" for the customer (status questions, SLA). */
export const OPEN_STATUSES: readonly RequestStatus[] = [
  'submitted',
  'returned',
  'accepted',
  'charged',
  'imported',
  'released',
];
