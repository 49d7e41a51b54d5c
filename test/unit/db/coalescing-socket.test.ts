import net from 'node:net';
import { sql } from 'drizzle-orm';
import { openPostgres } from '../../../src/db/client';
import { coalescingSocket } from '../../../src/db/coalescing-socket';

/** A local TCP server that records what it receives per connection. */
async function listen(): Promise<{ port: number; received: Buffer[][]; close: () => Promise<void> }> {
  const received: Buffer[][] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    const chunks: Buffer[] = [];
    received.push(chunks);
    s.on('data', (d) => chunks.push(d));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    received,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('coalescingSocket (postgres.js socket option)', () => {
  it('tries the hosts in order and connects to the first that answers', async () => {
    const srv = await listen();
    try {
      const s = await coalescingSocket({
        host: ['127.0.0.1', '127.0.0.1'],
        port: [await closedPort(), srv.port],
      });
      expect(s.remotePort).toBe(srv.port);
      expect((s as net.Socket & { host?: string }).host).toBe('127.0.0.1');
      s.destroy();
    } finally {
      await srv.close();
    }
  });

  it('fails with the connection error when no host answers', async () => {
    await expect(coalescingSocket({ host: ['127.0.0.1'], port: [await closedPort()] })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });

  it('holds a large write until what was queued behind it in the same tick, then sends both in one write', async () => {
    const srv = await listen();
    const s = await coalescingSocket({ host: ['127.0.0.1'], port: [srv.port] });
    const writes: number[] = [];
    const proto = net.Socket.prototype as unknown as Record<'_write' | '_writev', (...a: unknown[]) => unknown>;
    const orig = { _write: proto._write, _writev: proto._writev };
    proto._write = function (this: net.Socket, ...a: unknown[]) {
      if (this === s) writes.push(1);
      return orig._write.apply(this, a);
    };
    proto._writev = function (this: net.Socket, ...a: unknown[]) {
      if (this === s) writes.push((a[0] as unknown[]).length);
      return orig._writev.apply(this, a);
    };
    try {
      // As postgres.js does: a ≥ 1 KiB buffer written at once, a small one flushed in a setImmediate.
      s.write(Buffer.alloc(2048, 1));
      setImmediate(() => s.write(Buffer.from('COMMIT')));
      await new Promise((r) => setTimeout(r, 50));
      expect(writes).toEqual([2]);
      // Small writes are not held.
      writes.length = 0;
      s.write(Buffer.from('x'));
      expect(writes).toEqual([1]);
      await new Promise((r) => setTimeout(r, 50));
      expect(Buffer.concat(srv.received[0]!).length).toBe(2048 + 6 + 1);
    } finally {
      Object.assign(proto, orig);
      s.destroy();
      await srv.close();
    }
  });

  it('lets a database that is down fail the query instead of hanging', async () => {
    const port = await closedPort();
    const h = await openPostgres(`postgres://postgres@127.0.0.1:${port}/none`, { max: 1 });
    try {
      const err = (await h.db.execute(sql`select 1`).then(
        () => null,
        (e: unknown) => e,
      )) as { code?: string; cause?: { code?: string } } | null;
      expect(err?.cause?.code ?? err?.code).toBe('ECONNREFUSED');
    } finally {
      await h.close();
    }
  });
});
