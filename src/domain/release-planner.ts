/**
 * The daily release plan (seed 6.1/6.2): which imported requests go to production today, filling
 * up to an approximate weight cap (default 400 kg) so production is not overloaded.
 *
 * Order of candidates: warranty before charged; then the customer's order sequence (requests
 * without one after those with one); then age (oldest first); then id, so the plan is
 * deterministic whatever order the candidates come in.
 *
 * Filling: within each priority, candidates are taken in order while they fit; the first that
 * does not fit stops that priority for the day (a later, smaller one never skips ahead of it).
 * A charged candidate may still fill the room a warranty candidate could not use — the rule
 * forbids skipping within the same priority only. A candidate heavier than the whole cap never
 * blocks the others; when it is the first candidate of all, it goes alone on an otherwise empty
 * day and is flagged.
 */

export type ReleasePriority = 'warranty' | 'charged';

export interface ReleaseCandidate {
  id: number;
  priority: ReleasePriority;
  weightKg: number;
  /** The customer's order sequence (lower goes first); null when unknown. */
  orderSequence: number | null;
  /** Age anchor: ISO date or timestamp of the submission (older goes first). */
  since: string;
}

export type DeferReason = 'cap' | 'oversize';

export interface ReleasePlan {
  capKg: number;
  /** Candidate ids released today, in plan order. */
  selected: number[];
  totalKg: number;
  /** Set when the day holds one candidate that alone exceeds the cap. */
  oversize: number | null;
  /** Candidates left for another day, in plan order, with why. */
  deferred: { id: number; reason: DeferReason }[];
}

const PRIORITY_RANK: Record<ReleasePriority, number> = { warranty: 0, charged: 1 };

/** The total order of candidates described above. */
export function compareCandidates(a: ReleaseCandidate, b: ReleaseCandidate): number {
  return (
    PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] ||
    (a.orderSequence ?? Number.POSITIVE_INFINITY) - (b.orderSequence ?? Number.POSITIVE_INFINITY) ||
    (a.since < b.since ? -1 : a.since > b.since ? 1 : 0) ||
    a.id - b.id
  );
}

/** Weights are approximate; sums are kept to grams so 0.1 + 0.2 does not tip a plan over the cap. */
export function roundKg(kg: number): number {
  return Math.round(kg * 1000) / 1000;
}

export function planRelease(candidates: readonly ReleaseCandidate[], capKg: number): ReleasePlan {
  if (!(capKg > 0)) throw new RangeError('the daily cap must be a positive weight');
  const sorted = [...candidates].sort(compareCandidates);
  const plan: ReleasePlan = { capKg, selected: [], totalKg: 0, oversize: null, deferred: [] };
  const first = sorted[0];
  if (first && first.weightKg > capKg) {
    plan.selected.push(first.id);
    plan.totalKg = roundKg(first.weightKg);
    plan.oversize = first.id;
    for (const c of sorted.slice(1)) plan.deferred.push({ id: c.id, reason: c.weightKg > capKg ? 'oversize' : 'cap' });
    return plan;
  }
  const stopped = new Set<ReleasePriority>();
  for (const c of sorted) {
    if (c.weightKg > capKg) {
      plan.deferred.push({ id: c.id, reason: 'oversize' });
    } else if (!stopped.has(c.priority) && roundKg(plan.totalKg + c.weightKg) <= capKg) {
      plan.selected.push(c.id);
      plan.totalKg = roundKg(plan.totalKg + c.weightKg);
    } else {
      stopped.add(c.priority);
      plan.deferred.push({ id: c.id, reason: 'cap' });
    }
  }
  return plan;
}

/** Total weight of a chosen set (the assistant may add or remove from the proposal). */
export function totalWeight(candidates: readonly ReleaseCandidate[], ids: readonly number[]): number {
  const byId = new Map(candidates.map((c) => [c.id, c.weightKg]));
  return roundKg(ids.reduce((sum, id) => sum + (byId.get(id) ?? 0), 0));
}
