import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { tempDir } from '../support/db';
import { EMPTY_EXTRACTION, FakeOpenAI } from '../support/fake-openai';
import { freePort } from '../support/net';
import { tsArgs, waitHealthy } from '../support/ts-process';

/*
 * The composition root with a model: `npm start` with OPENAI_BASE_URL pointing at a fake
 * OpenAI-compatible server. The web chat answer uses the model's item; the text sent is masked.
 */
const ROOT = path.resolve(__dirname, '../..');
const FIX = path.join(ROOT, 'test/fixtures/master');

describe('server with OPENAI_BASE_URL', () => {
  const tmp = tempDir('posvenda-llm-server-');
  const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: path.join(tmp.dir, 'data'),
    LOG_LEVEL: 'warn',
    TODAY: '2026-11-29',
    ...extra,
  });
  let server: ChildProcess | undefined;
  let fake: FakeOpenAI;
  beforeAll(async () => {
    fake = await FakeOpenAI.start();
  });
  afterAll(async () => {
    if (server && server.exitCode === null) {
      // SIGTERM lets tsx stop its node child too (SIGKILL would orphan it).
      server.kill('SIGTERM');
      await Promise.race([new Promise((r) => server!.once('exit', r)), new Promise((r) => setTimeout(r, 10_000))]);
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    await fake.close();
    tmp.cleanup();
  });

  it('asks the configured model and uses its valid candidates', async () => {
    for (const kind of ['products', 'customers', 'invoices']) {
      const r = spawnSync(process.execPath, tsArgs('src/cli.ts', 'import', kind, path.join(FIX, `${kind}.csv`)), {
        cwd: ROOT,
        env: env(),
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect([kind, r.status]).toEqual([kind, 0]);
    }
    fake.respondWith((r) =>
      r.user.includes('pintura saindo')
        ? {
            json: {
              ...EMPTY_EXTRACTION,
              products: [{ item_code: '410100', words: 'a peça de cima do armário', quantity: null }],
              reason: { category: 'industria', evidence: 'a pintura saindo' },
            },
          }
        : { json: EMPTY_EXTRACTION },
    );
    const port = await freePort();
    server = spawn(process.execPath, tsArgs('src/main.ts'), {
      cwd: ROOT,
      env: env({
        PORT: String(port),
        OPENAI_BASE_URL: fake.baseURL,
        OPENAI_MODEL: 'local-model',
        LLM_TIMEOUT_MS: '3000',
      }),
      stdio: 'ignore',
    });
    expect(await waitHealthy(port)).toBe(200);
    const res = await fetch(`http://127.0.0.1:${port}/api/webchat/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        from: '(54) 99911-2233',
        id: 'llm-1',
        text: 'NF 88001, a peça de cima do armário veio com a pintura saindo. Meu fone (54) 99911-2233',
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { replies: { text: string }[] };
    const text = body.replies.map((r) => r.text).join('\n');
    // The item and the cause come from the model; rules alone say they could not identify "armario"
    // and ask for the part and what happened. Only the photo is missing now.
    expect(text).not.toMatch(/Não consegui identificar|qual peça/);
    expect(text).toMatch(/foto/);
    const sent = fake.requests.at(-1)!;
    expect(sent.body.model).toBe('local-model');
    expect(sent.user).toContain('[telefone]');
    expect(sent.user).not.toContain('99911-2233');
  }, 120_000);
});
