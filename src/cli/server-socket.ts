import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';

/**
 * The CLI through the running server. The embedded database is one process's (PGlite): while the server holds
 * it, `npm run cli` hands its command to the server over a Unix socket in the data directory, and the server
 * runs it on its own handle. The socket is the owner's only (mode 0600): whoever may use it may read the
 * database files next to it anyway.
 */
export function cliSocketPath(dataDir: string): string {
  return path.join(path.resolve(dataDir), 'cli.sock');
}

export const cliRequestSchema = z.object({
  argv: z.array(z.string().max(10_000)).max(50),
  /** Files named on the command line, read by the CLI (the server may not see the same paths): base64. */
  files: z.record(z.string(), z.string()),
});
export type CliRequest = z.infer<typeof cliRequestSchema>;

const answerSchema = z.object({ code: z.number().int(), out: z.array(z.string()), err: z.array(z.string()) });
export type CliAnswer = z.infer<typeof answerSchema>;

/** Largest request (a big invoices file, base64). */
const MAX_REQUEST_BYTES = 256 * 1024 * 1024;

/** Listen on `socketPath`; resolves with a function that stops listening and removes the socket. */
export async function serveCliSocket(
  socketPath: string,
  run: (req: CliRequest) => Promise<CliAnswer>,
  log: Logger,
): Promise<() => Promise<void>> {
  // Only the process holding the data directory's lock gets here: a socket left behind is a dead server's.
  fs.rmSync(socketPath, { force: true });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_REQUEST_BYTES) req.destroy();
      else chunks.push(c);
    });
    req.on('end', async () => {
      let answer: CliAnswer;
      try {
        const parsed = cliRequestSchema.safeParse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        answer = parsed.success
          ? await run(parsed.data)
          : { code: 2, out: [], err: ['The server did not understand the command.'] };
      } catch (err) {
        log.error({ err }, 'cli command through the server failed');
        answer = { code: 1, out: [], err: [err instanceof Error ? err.message : String(err)] };
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  server.on('error', (err) => log.error({ err }, 'cli socket error'));
  // Owner-only from the start: the mode comes from the umask at bind time (restored at once).
  const umask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    process.umask(umask);
  }
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => {
        fs.rmSync(socketPath, { force: true });
        resolve();
      });
    });
}

/** Run a command through the server; null when no server answers on the socket. */
export function runThroughServer(socketPath: string, req: CliRequest): Promise<CliAnswer | null> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(req);
    const r = http.request(
      { socketPath, method: 'POST', path: '/run', headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const parsed = answerSchema.safeParse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          if (parsed.success) resolve(parsed.data);
          else reject(new Error('The server answered the command with something unreadable.'));
        });
      },
    );
    r.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED') resolve(null);
      else reject(e);
    });
    r.end(body);
  });
}
