import { spawn } from 'node:child_process';
import path from 'node:path';
import { FakeOpenAI } from '../../support/fake-openai';

const ROOT = path.join(__dirname, '../../..');

function run(
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const base = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('OPENAI_') && !k.startsWith('LLM_')),
    );
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/eval/eval-understanding.ts', ...args], {
      cwd: ROOT,
      env: { ...base, NODE_OPTIONS: '', ...env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('npm run eval:understanding', () => {
  it('refuses to run without a key or a base URL, saying why', async () => {
    const r = await run({});
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/needs a model: set OPENAI_API_KEY .* or OPENAI_BASE_URL/);
  }, 60_000);

  it('prints rules and rules + model accuracy side by side against an OpenAI-compatible server', async () => {
    const fake = await FakeOpenAI.start();
    // A model that always says "assistencia" and nothing else: intent accuracy moves, numbers do not.
    fake.respondWith(() => ({
      json: { intent: 'assistencia', invoice_numbers: [], cnpj: null, products: [], reason: null, summary: '' },
    }));
    try {
      const r = await run({ OPENAI_BASE_URL: fake.baseURL, OPENAI_MODEL: 'fake-model' }, ['--limit', '12']);
      expect(r.code).toBe(0);
      expect(r.out).toContain('model fake-model');
      expect(r.out).toMatch(/main \(12 messages\)\nfield\s+n\s+rules\s+\+model diff/);
      expect(r.out).toMatch(/holdout \(12 messages\)/);
      expect(r.out).toMatch(/invoiceNumbers\s+\d+\s+[\d.]+%\s+[\d.]+%\s+\+0/);
      expect(r.out).toMatch(/calls: ok 24;/);
      expect(fake.requests).toHaveLength(24);
    } finally {
      await fake.close();
    }
  }, 120_000);
});
