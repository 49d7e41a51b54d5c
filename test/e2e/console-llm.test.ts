import { localDate } from '../../src/domain/calendar';
import { photo, said, startTestApp, type TestApp } from '../support/app';
import { type ConsoleAgent, consoleAgents } from '../support/browser';
import { dbKinds } from '../support/db';
import { EMPTY_EXTRACTION, FakeOpenAI } from '../support/fake-openai';
import { llmAgainst } from '../support/llm';

/*
 * The model in the console: the reviewer summary on the request page (marked as a suggestion, escaped)
 * and the managers' usage page (tokens and estimated cost per day and per conversation).
 */
const PASSWORD = 'senha-console-1';
const L200 = '+55 51 98877-6655';

describe.each(dbKinds())('console with a model on %s', (kind) => {
  let fake: FakeOpenAI;
  let t: TestApp;
  const as: Record<string, ConsoleAgent> = {};
  let protocol = '';

  beforeAll(async () => {
    fake = await FakeOpenAI.start();
    fake.respondWith((r) =>
      JSON.stringify(r.body.response_format).includes('"review_summary"')
        ? {
            json: {
              summary: 'Prateleira com furação errada <script>alert(1)</script>.',
              reason_category: 'industria',
              grounds: ['"veio com a furação errada"'],
            },
            usage: { prompt_tokens: 2000, completion_tokens: 200 },
          }
        : { json: EMPTY_EXTRACTION, usage: { prompt_tokens: 1000, completion_tokens: 50 } },
    );
    t = await startTestApp(kind, { llm: llmAgainst(fake) });
    Object.assign(as, await consoleAgents(t.handle.db, t.base, ['manager', 'assistant'], PASSWORD));
    await t.say(L200, 'nf 88003 a prateleira 520048 veio com a furação errada, 1 un', { photos: [await photo()] });
    protocol = /AT-\d{6}/.exec(said(await t.say(L200, 'sim')))![0];
    await t.llm?.idle();
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it('shows the model summary on the request page as a suggestion, escaped', async () => {
    const page = await as.assistant!.get(`/console/requests/${protocol}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-testid="llm-summary"');
    expect(page.text).toContain('Resumo do modelo (IA)');
    expect(page.text).toMatch(/Sugestão gerada por modelo de linguagem/);
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;');
    expect(page.text).not.toContain('<script>alert(1)</script>');
    expect(page.text).toContain('veio com a furação errada');
  });

  it('shows managers the tokens and estimated cost per day and per conversation', async () => {
    const page = await as.manager!.get('/console/llm');
    expect(page.status).toBe(200);
    const day = localDate(new Date()); // the company's day, as the page groups
    expect(page.text).toContain(`<td data-label="Dia">${day}</td>`);
    // 2 extraction calls (1000 in, 50 out) + 1 summary (2000 in, 200 out) at the test prices.
    expect(page.text).toContain('<td data-label="Tokens entrada">4.000</td>');
    expect(page.text).toContain('<td data-label="Tokens saída">300</td>');
    const cost = (4000 / 1000) * 0.00015 + (300 / 1000) * 0.0006;
    expect(page.text).toContain(`US$ ${cost.toFixed(4)}`);
    expect(page.text).toContain(`href="/console/requests/${protocol}"`);
    expect(page.text).toContain('href="&#x2F;console&#x2F;llm"'); // the menu entry
  });

  it('is for managers only', async () => {
    const page = await as.assistant!.get('/console/llm');
    expect(page.status).toBe(403);
    expect((await as.assistant!.get('/console/requests')).text).not.toContain('&#x2F;console&#x2F;llm');
  });
});
