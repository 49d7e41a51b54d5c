import fs from 'node:fs';
import path from 'node:path';
import { understandRules } from '../../src/understanding/rules';
import type { UnderstandingContext } from '../../src/understanding/signals';

/** Rule-based understanding cost per message over the labelled fixtures, and on a 4,000-char text. */
export function runUnderstandingBench() {
  const file = path.join(__dirname, '../fixtures/understanding/messages.json');
  const fixtures = JSON.parse(fs.readFileSync(file, 'utf8')) as { text: string; ctx?: UnderstandingContext }[];
  for (const f of fixtures) understandRules(f.text, f.ctx ?? {}); // warm-up
  const rounds = 20;
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const f of fixtures) {
      const t0 = performance.now();
      understandRules(f.text, f.ctx ?? {});
      times.push(performance.now() - t0);
    }
  }
  times.sort((a, b) => a - b);
  const long = `${fixtures.map((f) => f.text).join(' ')} `.repeat(5).slice(0, 4000);
  const t1 = performance.now();
  for (let i = 0; i < 20; i++) understandRules(long, {});
  return {
    messages: times.length,
    p50ms: Number(times[Math.floor(times.length * 0.5)]!.toFixed(3)),
    p99ms: Number(times[Math.floor(times.length * 0.99)]!.toFixed(3)),
    longTextMs: Number(((performance.now() - t1) / 20).toFixed(2)),
  };
}
