import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';

/**
 * A private Dovecot for the e-mail tests: own config in a temp dir, one passwd-file user, maildir,
 * 127.0.0.1 on a free port, no TLS — the same shape the evaluation harness runs (STACK-NOTES, E-mail).
 */
export interface TestDovecot {
  host: string;
  port: number;
  user: string;
  password: string;
  /** The temp dir holding config, logs and the maildir. */
  dir: string;
  /** A connected imapflow client (the caller logs it out). */
  client(): Promise<ImapFlow>;
  /** APPEND a raw MIME message; returns the new UID when the server reports it. */
  /** `arrived`: the mail's internal (arrival) date, default now. */
  append(
    raw: Buffer | string,
    opts?: { mailbox?: string; flags?: string[]; arrived?: Date },
  ): Promise<number | undefined>;
  /** UID and flags of every message in the mailbox. */
  messages(mailbox?: string): Promise<{ uid: number; flags: string[]; subject?: string }[]>;
  /** Delete and create the mailbox again (new UIDVALIDITY). */
  recreate(mailbox: string): Promise<void>;
  /** Create the mailbox when it does not exist. */
  ensureMailbox(mailbox: string): Promise<void>;
  /** How many successful logins of the test user the log shows. */
  logins(): number;
  /** Drop every IMAP session of the test user (doveadm kick): a server-side disconnect. */
  kick(): void;
  stop(): Promise<void>;
}

/** The dovecot binary, or undefined when `dovecot-imapd` is not installed. */
export function findDovecot(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const d of dirs) {
    if (d && fs.existsSync(path.join(d, 'dovecot'))) return path.join(d, 'dovecot');
  }
  return undefined;
}

/** `describe` when Dovecot is installed, else `describe.skip` with one clear warning. */
export function describeWithDovecot(): jest.Describe {
  if (findDovecot()) return describe;
  console.warn('E-mail tests SKIPPED: dovecot not installed — .ci/run installs dovecot-imapd');
  return describe.skip;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createConnection({ host: '127.0.0.1', port });
    let got = '';
    s.setTimeout(1000, () => {
      s.destroy();
      resolve(false);
    });
    s.on('data', (d) => {
      got += d.toString('latin1');
      if (got.includes('\n')) {
        s.destroy();
        resolve(got.startsWith('* OK'));
      }
    });
    s.on('error', () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Start a private Dovecot; rejects with the log tail when it does not greet within 15 s. */
export async function startDovecot(opts: { user?: string; password?: string } = {}): Promise<TestDovecot> {
  const bin = findDovecot();
  if (!bin) throw new Error('dovecot is not installed (apt-get install -y dovecot-imapd)');
  const user = opts.user ?? 'posvenda';
  const password = opts.password ?? randomBytes(8).toString('hex');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'posvenda-dovecot-'));
  const mailDir = path.join(dir, 'mail');
  for (const d of ['run', 'state', 'mail']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  // Dovecot's login/imap processes run as other users: they must be able to traverse the temp dir.
  fs.chmodSync(dir, 0o711);
  const root = process.getuid?.() === 0;
  const uid = root ? 65534 : (process.getuid?.() ?? 65534);
  const gid = root ? 65534 : (process.getgid?.() ?? 65534);
  if (root) fs.chownSync(mailDir, uid, gid);
  const passwd = path.join(dir, 'passwd');
  fs.writeFileSync(passwd, `${user}:{PLAIN}${password}\n`, { mode: 0o644 });
  const port = await freePort();
  const me = root ? undefined : os.userInfo().username;
  const log = path.join(dir, 'dovecot.log');
  const conf = [
    'protocols = imap',
    'listen = 127.0.0.1',
    `base_dir = ${dir}/run`,
    `state_dir = ${dir}/state`,
    `log_path = ${log}`,
    `info_log_path = ${log}`,
    'ssl = no',
    'disable_plaintext_auth = no',
    'auth_mechanisms = plain login',
    `mail_location = maildir:${mailDir}/%n`,
    // Tell IDLE clients about new mail within a second (the default checks every 30 s without inotify).
    'mailbox_idle_check_interval = 1 secs',
    // Non-root runs (a developer's machine): every service as the current user, no chroot.
    ...(me ? [`default_internal_user = ${me}`, `default_login_user = ${me}`] : []),
    'passdb {',
    '  driver = passwd-file',
    `  args = scheme=PLAIN username_format=%n ${passwd}`,
    '}',
    'userdb {',
    '  driver = static',
    `  args = uid=${uid} gid=${gid} home=${mailDir}/%n`,
    '}',
    'service imap-login {',
    '  inet_listener imap {',
    '    address = 127.0.0.1',
    `    port = ${port}`,
    '  }',
    '  inet_listener imaps {',
    '    port = 0',
    '  }',
    ...(me ? ['  chroot =', `  user = ${me}`] : []),
    '}',
    ...(me ? ['service anvil {', '  chroot =', '}', 'service imap {', `  user = ${me}`, '}'] : []),
    '',
  ].join('\n');
  const confFile = path.join(dir, 'dovecot.conf');
  fs.writeFileSync(confFile, conf);
  const out = fs.openSync(path.join(dir, 'dovecot.out'), 'a');
  // -F: stay in the foreground, so this child IS the master and its exit means everything stopped.
  const child: ChildProcess = spawn(bin, ['-F', '-c', confFile], { stdio: ['ignore', out, out] });
  fs.closeSync(out);
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
  });
  const tail = () =>
    ['dovecot.out', 'dovecot.log']
      .map((f) => {
        try {
          return fs.readFileSync(path.join(dir, f), 'utf8');
        } catch {
          return '';
        }
      })
      .join('\n')
      .trim()
      .split('\n')
      .slice(-10)
      .join('\n');

  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const killed = await Promise.race([
        exit.then(() => true),
        new Promise<boolean>((r) => {
          timer = setTimeout(() => r(false), 10_000);
        }),
      ]);
      clearTimeout(timer);
      if (!killed) {
        child.kill('SIGKILL');
        await exit;
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };

  const t0 = Date.now();
  let up = false;
  while (Date.now() - t0 < 15_000 && !exited) {
    if (await greets(port)) {
      up = true;
      break;
    }
    await sleep(100);
  }
  if (!up) {
    const why = tail();
    await stop();
    throw new Error(`Dovecot did not start on 127.0.0.1:${port}\n${why}`);
  }

  const client = async () => {
    const c = new ImapFlow({
      host: '127.0.0.1',
      port,
      secure: false,
      doSTARTTLS: false,
      auth: { user, pass: password },
      logger: false,
      disableAutoIdle: true,
    });
    await c.connect();
    return c;
  };
  const withClient = async <T>(fn: (c: ImapFlow) => Promise<T>): Promise<T> => {
    const c = await client();
    try {
      return await fn(c);
    } finally {
      await c.logout().catch(() => c.close());
    }
  };
  const ensureMailbox = (mailbox: string) =>
    withClient(async (c) => {
      const list = await c.list();
      if (!list.some((m) => m.path === mailbox)) await c.mailboxCreate(mailbox);
    });

  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    dir,
    client,
    append: (raw, o = {}) =>
      withClient(async (c) => {
        const res = await c.append(
          o.mailbox ?? 'INBOX',
          typeof raw === 'string' ? Buffer.from(raw) : raw,
          o.flags ?? [],
          o.arrived,
        );
        return res ? res.uid : undefined;
      }),
    messages: (mailbox = 'INBOX') =>
      withClient(async (c) => {
        await c.mailboxOpen(mailbox, { readOnly: true });
        if (c.mailbox && c.mailbox.exists === 0) return [];
        const rows = await c.fetchAll('1:*', { uid: true, flags: true, envelope: true });
        return rows.map((m) => ({ uid: m.uid, flags: [...(m.flags ?? [])].sort(), subject: m.envelope?.subject }));
      }),
    recreate: (mailbox) =>
      withClient(async (c) => {
        const list = await c.list();
        if (list.some((m) => m.path === mailbox)) await c.mailboxDelete(mailbox);
        await c.mailboxCreate(mailbox);
      }),
    ensureMailbox,
    logins: () => {
      try {
        return (fs.readFileSync(log, 'utf8').match(new RegExp(`Login: user=<${user}>`, 'g')) ?? []).length;
      } catch {
        return 0;
      }
    },
    kick: () => {
      const beside = path.join(path.dirname(bin), 'doveadm');
      const doveadm = fs.existsSync(beside) ? beside : 'doveadm';
      const r = spawnSync(doveadm, ['-c', confFile, 'kick', user], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`doveadm kick failed: ${r.stderr || r.stdout}`);
    },
    stop,
  };
}
