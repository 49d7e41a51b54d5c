import { planRelease, type ReleaseCandidate } from '../../src/domain/release-planner';

/**
 * The daily release planner on 2,000 candidates (target < 50 ms each). A fixed-seed generator keeps
 * runs comparable; the median and worst of 50 plans are reported.
 */
export function runPlannerBench(count = 2000) {
  let seed = 42;
  const rand = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const candidates: ReleaseCandidate[] = Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    priority: rand() < 0.7 ? 'warranty' : 'charged',
    weightKg: Math.round(rand() * 60_000) / 1000,
    orderSequence: rand() < 0.8 ? 1 + Math.floor(rand() * 20) : null,
    since: new Date(Date.UTC(2026, 0, 1) + Math.floor(rand() * 300) * 86_400_000).toISOString().slice(0, 10),
  }));
  for (let i = 0; i < 5; i++) planRelease(candidates, 400); // warm-up
  const times: number[] = [];
  let selected = 0;
  for (let i = 0; i < 50; i++) {
    const t0 = performance.now();
    selected = planRelease(candidates, 400).selected.length;
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return {
    candidates: count,
    selected,
    p50ms: Number(times[25]!.toFixed(2)),
    maxMs: Number(times[times.length - 1]!.toFixed(2)),
    targetMs: 50,
  };
}
