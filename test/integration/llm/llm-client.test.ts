import { CircuitBreaker } from '../../../src/understanding/llm/circuit-breaker';
import { EMPTY_EXTRACTION, FakeOpenAI } from '../../support/fake-openai';
import { memoryLedger, testAssistant } from '../../support/llm';

/** The assistant against the fake server: breaker, budget, cost (no database needed). */
const STATE = { phase: 'idle', ctx: {} };

describe('LLM assistant robustness', () => {
  let fake: FakeOpenAI;
  beforeEach(async () => {
    fake = await FakeOpenAI.start();
  });
  afterEach(() => fake.close());

  it('opens the circuit after repeated failures and stops calling until the cooldown ends', async () => {
    let now = new Date('2026-11-29T12:00:00Z');
    const ledger = memoryLedger();
    const a = testAssistant(fake, ledger, {
      breakerFailures: 2,
      breakerCooldownMs: 30_000,
      maxRetries: 0,
      now: () => now,
    });
    fake.respondWith(() => ({ status: 503 }));
    expect((await a.extract('porta riscada', STATE)).record.outcome).toBe('http_error');
    expect((await a.extract('porta riscada', STATE)).record.outcome).toBe('http_error');
    const sent = fake.requests.length;
    const open = await a.extract('porta riscada', STATE);
    expect(open.record.outcome).toBe('circuit_open');
    expect(fake.requests.length).toBe(sent);
    // After the cooldown one trial goes out; a success closes the circuit.
    now = new Date(now.getTime() + 31_000);
    fake.respondWith(() => ({ json: EMPTY_EXTRACTION }));
    expect((await a.extract('porta riscada', STATE)).record.outcome).toBe('ok');
    expect((await a.extract('porta riscada', STATE)).record.outcome).toBe('ok');
    expect(fake.requests.length).toBe(sent + 2);
  });

  it('uses only the rules once the daily budget is spent, until midnight in Brasília', async () => {
    let now = new Date('2026-11-29T12:00:00Z');
    const ledger = memoryLedger(() => now);
    // 10k input tokens at 0.15 USD/1k = 1.5 USD per call; the budget is 2 USD.
    const a = testAssistant(fake, ledger, { dailyBudgetUsd: 2, priceInputPer1kUsd: 0.15, now: () => now });
    fake.respondWith(() => ({ json: EMPTY_EXTRACTION, usage: { prompt_tokens: 10_000, completion_tokens: 0 } }));
    const first = await a.extract('porta riscada', STATE);
    expect(first.record).toMatchObject({ outcome: 'ok', inputTokens: 10_000, costUsd: 1.5 });
    await a.record(first.record);
    const second = await a.extract('porta riscada', STATE);
    await a.record(second.record);
    expect(second.record.outcome).toBe('ok');
    const sent = fake.requests.length;
    const third = await a.extract('porta riscada', STATE);
    expect(third.record).toMatchObject({ outcome: 'budget', costUsd: 0 });
    expect(fake.requests.length).toBe(sent);
    // 01:00 UTC on the 30th is 22:00 on the 29th in Brasília: still the same business day, still spent.
    now = new Date('2026-11-30T01:00:00Z');
    expect((await a.extract('porta riscada', STATE)).record.outcome).toBe('budget');
    expect(fake.requests.length).toBe(sent);
    // Midnight in Brasília (03:00 UTC): a new day, the spend counts from there.
    now = new Date('2026-11-30T03:00:01Z');
    expect((await a.extract('porta riscada', STATE)).record.outcome).toBe('ok');
  });

  it('a budget of zero never calls', async () => {
    const a = testAssistant(fake, memoryLedger(), { dailyBudgetUsd: 0 });
    expect((await a.extract('porta riscada', STATE)).record.outcome).toBe('budget');
    expect(fake.requests).toHaveLength(0);
  });

  it('does not retry after a timeout (the deadline is spent), retries once after a 429', async () => {
    const a = testAssistant(fake, memoryLedger(), { timeoutMs: 300 });
    fake.enqueue({ hang: true });
    const slow = await a.extract('porta riscada', STATE);
    expect(slow.record.outcome).toBe('timeout');
    expect(slow.record.latencyMs).toBeLessThan(1000);
    expect(fake.requests).toHaveLength(1);
    fake.enqueue({ status: 429 }, { json: EMPTY_EXTRACTION });
    expect((await a.extract('porta riscada', STATE)).record.outcome).toBe('ok');
    expect(fake.requests).toHaveLength(3);
  });

  it('sends personal data only when masking is switched off', async () => {
    const text = 'me liga no (54) 99911-2233';
    await testAssistant(fake, memoryLedger()).extract(text, STATE);
    await testAssistant(fake, memoryLedger(), { maskPii: false }).extract(text, STATE);
    expect(fake.requests[0]?.user).not.toContain('99911-2233');
    expect(fake.requests[1]?.user).toContain('99911-2233');
  });
});

describe('CircuitBreaker', () => {
  it('lets one trial through when half-open; a failed trial opens it again', () => {
    let t = 0;
    const b = new CircuitBreaker(1, 100, () => t);
    expect(b.tryAcquire()).toBe(true);
    b.failure();
    expect(b.state).toBe('open');
    expect(b.tryAcquire()).toBe(false);
    t = 150;
    expect(b.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false); // only one trial at a time
    b.failure();
    expect(b.tryAcquire()).toBe(false);
    t = 300;
    expect(b.tryAcquire()).toBe(true);
    b.success();
    expect(b.state).toBe('closed');
  });
});
