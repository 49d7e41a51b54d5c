import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { DbHandle } from '../../src/db/client';
import { importFixtures } from '../support/app';
import { freshPostgres, tempDir } from '../support/db';
import { freePort } from '../support/net';
import { tsArgs, waitHealthy } from '../support/ts-process';

const ROOT = path.resolve(__dirname, '../..');
const maybe = process.env.DATABASE_URL ? describe : describe.skip;

/** The real server (src/main.ts) with ENGINE_THREADS=2 on PostgreSQL: answers the web chat, stops cleanly. */
maybe('server with engine threads', () => {
  let db: DbHandle & { url: string };
  let server: ChildProcess | undefined;
  const tmp = tempDir('posvenda-threads-srv-');
  beforeAll(async () => {
    db = await freshPostgres();
  }, 60_000);
  afterAll(async () => {
    server?.kill('SIGKILL');
    await db?.close();
    tmp.cleanup();
  });

  it('runs the web chat on its engine threads and stops on SIGTERM', async () => {
    const port = await freePort();
    let out = '';
    server = spawn(process.execPath, tsArgs('src/main.ts'), {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DATA_DIR: tmp.dir,
        PORT: String(port),
        DATABASE_URL: db.url,
        ENGINE_THREADS: '2',
        LOG_LEVEL: 'info',
      },
    });
    server.stdout!.on('data', (d) => (out += d));
    server.stderr!.on('data', (d) => (out += d));
    expect(await waitHealthy(port)).toBe(200);
    expect(out).toMatch(/conversation engine on worker threads/);
    await importFixtures(db);
    const say = async (id: string, text: string) => {
      const res = await fetch(`http://127.0.0.1:${port}/api/webchat/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: '+5554999112233', id, text }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { replies: { text: string }[] }).replies.map((r) => r.text).join('\n');
    };
    expect(await say('s-1', 'oi')).toMatch(/Arte/i);
    expect(await say('s-2', 'NF 88001 a porta 410100 chegou amassada, 1 peça')).toMatch(/foto/i);
    const exited = new Promise<number | null>((r) => server!.once('exit', (code) => r(code)));
    server.kill('SIGTERM');
    expect(await exited).toBe(0);
    server = undefined;
  }, 90_000);
});
