import { understandRules } from '../../../src/understanding/rules';
import holdout from '../../fixtures/understanding/holdout.json';
import messages from '../../fixtures/understanding/messages.json';
import { evaluate, type Fixture, formatTable } from './fixture-eval';

/**
 * Bars set from the measured accuracy, with room for honest misses: the main set is what the
 * rules were tuned on, the holdout was written before looking at any rule failure.
 */
const MAIN_BAR = 0.95;
const HOLDOUT_BAR = 0.85;

function check(name: string, fixtures: Fixture[], bar: number) {
  const stats = evaluate(fixtures, understandRules);
  console.log(formatTable(`${name} (${fixtures.length} messages)`, stats));
  const failures = [...stats.values()].flatMap((s) => s.failures);
  if (failures.length > 0) console.log(`${name} misses:\n${failures.map((f) => `  ${f}`).join('\n')}`);
  for (const [field, s] of stats) {
    expect({ field, accuracy: s.correct / s.total >= bar }).toEqual({ field, accuracy: true });
  }
}

describe('understanding accuracy', () => {
  it('has enough labelled messages', () => {
    expect(messages.length).toBeGreaterThanOrEqual(220);
    expect(holdout.length).toBeGreaterThanOrEqual(60);
  });

  it(`main set: every field ≥ ${MAIN_BAR}`, () => {
    check('main', messages as Fixture[], MAIN_BAR);
  });

  it(`holdout set: every field ≥ ${HOLDOUT_BAR}`, () => {
    check('holdout', holdout as Fixture[], HOLDOUT_BAR);
  });
});
