import type { Socket } from 'node:net';
import PostalMime from 'postal-mime';
import { SMTPServer } from 'smtp-server';

/** One mail the listener accepted. */
export interface CapturedMail {
  envelope: { from: string; to: string[] };
  raw: Buffer;
  parsed: PostalMime.Email;
  /** Header value by lower-case name (first occurrence). */
  header(name: string): string | undefined;
  /** Authenticated user of the session, when the client logged in. */
  user?: string;
}

/**
 * A real SMTP server on 127.0.0.1 (smtp-server: no STARTTLS, auth optional — credentials are
 * checked when sent) that captures what the product sends, with switches to test failures.
 */
export interface SmtpListener {
  host: string;
  port: number;
  mails: CapturedMail[];
  /** The next `n` recipients are refused with `code` (default 550, a permanent error). */
  fail(n: number, code?: number): void;
  /** Stop listening and drop open connections (a server that is down). */
  down(): Promise<void>;
  /** Listen again on the same port. */
  up(): Promise<void>;
  /** Resolves when at least `n` mails were captured; rejects after `timeoutMs`. */
  waitFor(n: number, timeoutMs?: number): Promise<CapturedMail[]>;
  close(): Promise<void>;
}

/** Start an SMTP listener; `auth` makes it accept exactly those credentials when a client logs in. */
export async function startSmtpListener(auth?: { user: string; password: string }): Promise<SmtpListener> {
  const mails: CapturedMail[] = [];
  let failures: { left: number; code: number } = { left: 0, code: 550 };
  let server: SMTPServer | undefined;
  const sockets = new Set<Socket>();
  let port = 0;

  const make = () => {
    const s = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      // Loopback test server: plain-text AUTH is fine here (the harness does the same).
      allowInsecureAuth: true,
      logger: false,
      closeTimeout: 100,
      onAuth(a, _session, cb) {
        if (!auth || (a.username === auth.user && a.password === auth.password)) return cb(null, { user: a.username });
        return cb(Object.assign(new Error('Invalid credentials'), { responseCode: 535 }));
      },
      onRcptTo(_address, _session, cb) {
        if (failures.left > 0) {
          failures.left--;
          return cb(Object.assign(new Error('Mailbox unavailable'), { responseCode: failures.code }));
        }
        return cb();
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', cb);
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          PostalMime.parse(raw)
            .then((parsed) => {
              const env = session.envelope;
              mails.push({
                envelope: {
                  from: env.mailFrom ? env.mailFrom.address : '',
                  to: env.rcptTo.map((r) => r.address.toLowerCase()),
                },
                raw,
                parsed,
                header: (name) => parsed.headers.find((h) => h.key === name.toLowerCase())?.value,
                user: typeof session.user === 'string' ? session.user : undefined,
              });
              cb();
            })
            .catch(cb);
        });
      },
    });
    s.on('error', () => {});
    s.server.on('connection', (sock: Socket) => {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
    });
    return s;
  };

  const listen = (s: SMTPServer, p: number) =>
    new Promise<number>((resolve, reject) => {
      s.server.once('error', reject);
      s.listen(p, '127.0.0.1', () => {
        const addr = s.server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : p);
      });
    });

  const down = async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    for (const sock of sockets) sock.destroy();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  const up = async () => {
    if (server) return;
    server = make();
    port = await listen(server, port);
  };
  await up();

  return {
    host: '127.0.0.1',
    get port() {
      return port;
    },
    mails,
    fail(n, code = 550) {
      failures = { left: n, code };
    },
    down,
    up,
    async waitFor(n, timeoutMs = 10_000) {
      const t0 = Date.now();
      while (mails.length < n) {
        if (Date.now() - t0 > timeoutMs) throw new Error(`expected ${n} mails, got ${mails.length}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return mails;
    },
    close: down,
  };
}
