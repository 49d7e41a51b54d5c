import fc from 'fast-check';
import {
  compareCandidates,
  planRelease,
  type ReleaseCandidate,
  roundKg,
  totalWeight,
} from '../../../src/domain/release-planner';

const c = (
  id: number,
  priority: ReleaseCandidate['priority'],
  weightKg: number,
  orderSequence: number | null = null,
  since = '2026-11-01',
): ReleaseCandidate => ({ id, priority, weightKg, orderSequence, since });

describe('planRelease', () => {
  it('takes warranty before charged, then the order sequence, then age', () => {
    const plan = planRelease(
      [
        c(1, 'charged', 50, 1, '2026-10-01'),
        c(2, 'warranty', 50, 2, '2026-10-01'),
        c(3, 'warranty', 50, 1, '2026-11-20'),
        c(4, 'warranty', 50, null, '2026-09-01'),
        c(5, 'warranty', 50, 2, '2026-09-15'),
      ],
      400,
    );
    expect(plan.selected).toEqual([3, 5, 2, 4, 1]);
    expect(plan.totalKg).toBe(250);
    expect(plan.deferred).toEqual([]);
  });

  it('never lets a smaller later candidate of the same priority skip ahead', () => {
    const plan = planRelease([c(1, 'warranty', 300, 1), c(2, 'warranty', 150, 2), c(3, 'warranty', 20, 3)], 400);
    expect(plan.selected).toEqual([1]);
    expect(plan.deferred).toEqual([
      { id: 2, reason: 'cap' },
      { id: 3, reason: 'cap' },
    ]);
  });

  it('lets charged requests use the room a warranty request could not', () => {
    const plan = planRelease([c(1, 'warranty', 300, 1), c(2, 'warranty', 150, 2), c(3, 'charged', 80, 1)], 400);
    expect(plan.selected).toEqual([1, 3]);
    expect(plan.totalKg).toBe(380);
  });

  it('releases a request heavier than the cap alone on an empty day, flagged', () => {
    const plan = planRelease([c(1, 'warranty', 520, 1), c(2, 'warranty', 10, 2)], 400);
    expect(plan).toMatchObject({ selected: [1], oversize: 1, totalKg: 520 });
    expect(plan.deferred).toEqual([{ id: 2, reason: 'cap' }]);
  });

  it('does not let an oversize request that is not first block the others', () => {
    const plan = planRelease([c(1, 'warranty', 100, 1), c(2, 'warranty', 900, 2), c(3, 'warranty', 100, 3)], 400);
    expect(plan).toMatchObject({ selected: [1, 3], oversize: null, totalKg: 200 });
    expect(plan.deferred).toEqual([{ id: 2, reason: 'oversize' }]);
  });

  it('counts weights to the gram (no float drift over the cap)', () => {
    const plan = planRelease(
      Array.from({ length: 10 }, (_, i) => c(i + 1, 'warranty', 0.1, i)),
      1,
    );
    expect(plan.selected).toHaveLength(10);
    expect(plan.totalKg).toBe(1);
  });

  it('refuses a cap that is not a positive weight', () => {
    expect(() => planRelease([], 0)).toThrow(RangeError);
    expect(() => planRelease([], Number.NaN)).toThrow(RangeError);
  });

  it('sums a hand-picked set', () => {
    const cs = [c(1, 'warranty', 10.5), c(2, 'charged', 20.25)];
    expect(totalWeight(cs, [1, 2, 99])).toBe(30.75);
  });
});

describe('planRelease properties', () => {
  const candidate = fc.record({
    priority: fc.constantFrom<ReleaseCandidate['priority']>('warranty', 'charged'),
    weightKg: fc.oneof(
      fc.integer({ min: 0, max: 200_000 }).map((g) => g / 1000),
      fc.integer({ min: 380, max: 900 }),
    ),
    orderSequence: fc.option(fc.integer({ min: 1, max: 6 }), { nil: null }),
    since: fc.integer({ min: 0, max: 60 }).map((d) => new Date(Date.UTC(2026, 9, 1 + d)).toISOString().slice(0, 10)),
  });
  const candidates = fc
    .array(candidate, { maxLength: 60 })
    .map((cs) => cs.map((x, i) => ({ ...x, id: i + 1 }) as ReleaseCandidate));
  const cap = fc.integer({ min: 50, max: 800 });

  it('stays under the cap, unless the day holds one oversize request that was first in line', () => {
    fc.assert(
      fc.property(candidates, cap, (cs, capKg) => {
        const plan = planRelease(cs, capKg);
        expect(plan.totalKg).toBe(totalWeight(cs, plan.selected));
        if (plan.oversize !== null) {
          expect(plan.selected).toEqual([plan.oversize]);
          expect([...cs].sort(compareCandidates)[0]?.id).toBe(plan.oversize);
        } else {
          expect(plan.totalKg).toBeLessThanOrEqual(capKg);
        }
        expect(new Set([...plan.selected, ...plan.deferred.map((d) => d.id)]).size).toBe(cs.length);
      }),
    );
  });

  it('respects priority and sequence: per priority the released set is a prefix, and the next one did not fit', () => {
    fc.assert(
      fc.property(candidates, cap, (cs, capKg) => {
        const plan = planRelease(cs, capKg);
        if (plan.oversize !== null) return;
        const chosen = new Set(plan.selected);
        const sorted = [...cs].sort(compareCandidates).filter((x) => x.weightKg <= capKg);
        let before = 0; // weight taken by the earlier priorities
        for (const priority of ['warranty', 'charged'] as const) {
          const group = sorted.filter((x) => x.priority === priority);
          const taken = group.findIndex((x) => !chosen.has(x.id));
          const prefix = taken === -1 ? group : group.slice(0, taken);
          expect(prefix.every((x) => chosen.has(x.id))).toBe(true);
          expect(group.slice(prefix.length).some((x) => chosen.has(x.id))).toBe(false);
          const own = totalWeight(
            cs,
            prefix.map((x) => x.id),
          );
          const next = group[prefix.length];
          if (next) expect(roundKg(before + own + next.weightKg)).toBeGreaterThan(capKg);
          before = roundKg(before + own);
        }
        // Warranty comes first in the plan order.
        const firstCharged = plan.selected.findIndex((id) => cs.find((x) => x.id === id)?.priority === 'charged');
        if (firstCharged >= 0)
          expect(
            plan.selected.slice(firstCharged).every((id) => cs.find((x) => x.id === id)?.priority === 'charged'),
          ).toBe(true);
      }),
    );
  });

  it('is deterministic whatever order the candidates come in', () => {
    fc.assert(
      fc.property(
        candidates.chain((cs) => fc.tuple(fc.constant(cs), fc.shuffledSubarray(cs, { minLength: cs.length }))),
        cap,
        ([cs, shuffled], capKg) => {
          expect(planRelease(shuffled, capKg)).toEqual(planRelease(cs, capKg));
        },
      ),
    );
  });
});
