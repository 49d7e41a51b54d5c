import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../support/db';
import { freePort } from '../support/net';
import { tsArgs, waitHealthy } from '../support/ts-process';

/*
 * The real commands a person runs, as separate processes on the embedded database:
 * `npm run cli -- import …`, `token create`, `npm start` answering /healthz, and the CLI
 * refusing (one clear sentence) while the server holds the data directory.
 */
const ROOT = path.resolve(__dirname, '../..');
const FIX = path.join(ROOT, 'test/fixtures/master');

function cleanEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    ...extra,
  };
  return env;
}

function cli(dataDir: string, ...args: string[]) {
  const r = spawnSync(process.execPath, tsArgs('src/cli.ts', ...args), {
    cwd: ROOT,
    env: cleanEnv(dataDir),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('command line and server (embedded database)', () => {
  const tmp = tempDir('posvenda-cli-');
  const dataDir = path.join(tmp.dir, 'data');
  let server: ChildProcess | undefined;
  afterAll(() => {
    server?.kill('SIGKILL');
    tmp.cleanup();
  });

  it('imports master data and reports each rejected line', () => {
    for (const kind of ['products', 'customers', 'invoices']) {
      const r = cli(dataDir, 'import', kind, path.join(FIX, `${kind}.csv`));
      expect([kind, r.code, r.err]).toEqual([kind, 0, '']);
      expect(r.out).toMatch(/0 rejeitadas/);
    }
    const again = cli(dataDir, 'import', 'invoices', path.join(FIX, 'invoices.csv'));
    expect(again.out).toMatch(/7 sem alteração/);
    const bad = path.join(tmp.dir, 'bad.csv');
    fs.writeFileSync(
      bad,
      'codigo;nome;cnpj;telefone;email\nX1;LOJA X;11.222.333/0001-00;;\nX2;=HYPERLINK("http://x","y");11.222.333/0001-81;;\n',
    );
    const r = cli(dataDir, 'import', 'customers', bad);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/linha 2: .*CNPJ/);
    expect(r.out).toMatch(/linha 3: .*fórmula/);
  }, 120_000);

  it('refuses an unreadable file with one sentence and a non-zero exit', () => {
    const bin = path.join(tmp.dir, 'bin.csv');
    fs.writeFileSync(bin, Buffer.from([0, 1, 2, 3, 255, 0, 10, 0]));
    const r = cli(dataDir, 'import', 'products', bin);
    expect(r.code).not.toBe(0);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  }, 60_000);

  it('prints a new token alone on the last line', () => {
    const r = cli(dataDir, 'token', 'create', '--role', 'commercial', '--name', 'BI');
    expect(r.code).toBe(0);
    const last = r.out.trim().split('\n').at(-1)!;
    expect(last).toMatch(/^pv_[A-Za-z0-9_-]{40,}$/);
    expect(cli(dataDir, 'token', 'create', '--role', 'king').code).toBe(2);
  }, 60_000);

  it('serves /healthz, and the CLI runs its commands through the server holding the data directory', async () => {
    const port = await freePort();
    server = spawn(process.execPath, tsArgs('src/main.ts'), {
      cwd: ROOT,
      env: cleanEnv(dataDir, { PORT: String(port) }),
      stdio: 'pipe',
    });
    expect(await waitHealthy(port)).toBe(200);
    // The server holds the embedded database: the CLI hands the command to it, over a socket only its owner
    // may use (it can create users).
    expect(fs.statSync(path.join(dataDir, 'cli.sock')).mode & 0o777).toBe(0o600);
    const r = cli(dataDir, 'token', 'create', '--role', 'assistant');
    expect(r.code).toBe(0);
    const token = r.out.trim().split('\n').at(-1)!;
    expect(token).toMatch(/^pv_[A-Za-z0-9_-]{40,}$/);
    // The running server knows the token at once (the same database).
    const api = await fetch(`http://127.0.0.1:${port}/api/requests`, { headers: { authorization: `Bearer ${token}` } });
    expect(api.status).toBe(200);
    // A file named on the command line is read by the CLI and sent along.
    const imported = cli(dataDir, 'import', 'products', path.join(FIX, 'products.csv'));
    expect(imported.code).toBe(0);
    expect(imported.out).toMatch(/produtos: 7 linhas — .*, 0 rejeitadas/);
    // Errors keep their exit codes and sentences.
    expect(cli(dataDir, 'token', 'create', '--role', 'king').code).toBe(2);
    const missing = cli(dataDir, 'import', 'products', path.join(tmp.dir, 'nao-existe.csv'));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/Cannot read/);
    server.kill('SIGTERM');
    await new Promise((resolve) => server!.once('exit', resolve));
    // After a clean stop the lock and the socket are gone: the CLI opens the database itself.
    expect(fs.existsSync(path.join(dataDir, 'cli.sock'))).toBe(false);
    expect(cli(dataDir, 'token', 'create', '--role', 'assistant').code).toBe(0);
  }, 90_000);

  it('refuses with one sentence when another live process holds the data directory and does not answer', () => {
    const held = path.join(tmp.dir, 'held');
    fs.mkdirSync(path.join(held, 'pglite'), { recursive: true });
    // A live process (this test runner) holds the lock, and no server answers on the CLI socket.
    fs.writeFileSync(path.join(held, 'pglite', 'posvenda.lock'), String(process.pid));
    const r = cli(held, 'token', 'create', '--role', 'assistant');
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/in use by another process \(pid \d+.*Stop it first\./);
  }, 60_000);

  it('stops at start with one message naming every bad variable', () => {
    const r = spawnSync(process.execPath, tsArgs('src/main.ts'), {
      cwd: ROOT,
      env: cleanEnv(dataDir, { PORT: 'x', DATABASE_URL: 'mysql://user:hunter2@db' }),
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/PORT/);
    expect(r.stderr).toMatch(/DATABASE_URL/);
    expect(r.stderr).not.toMatch(/hunter2/);
  }, 60_000);
});
