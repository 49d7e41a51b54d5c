import net from 'node:net';

/** The parsed connection options postgres.js hands its `socket` option. */
export interface SocketTarget {
  host: string[];
  port: number[];
  /** A Unix socket path, when the URL names one. */
  path?: string | false;
  /** Seconds (postgres.js's `connect_timeout`, default 30). */
  connect_timeout?: number;
}

/**
 * postgres.js's `socket` option (docs/decisions.md §24): a plain connection whose writes within one tick of the
 * event loop leave in one system call.
 *
 * postgres.js gathers the statements queued in one tick into one write, but writes a buffer of 1 KiB or more
 * at once. On the message path the last statement (the conversation's state and the replies) often passes 1 KiB,
 * so the COMMIT queued right behind it left in a second write; on this project's VM a loopback write costs about
 * 0.1 ms of CPU (it also wakes the server), the largest single item in the engine's profile. Corking the socket
 * until the end of the tick makes the two one write. Nothing waits longer than the current tick.
 *
 * Hosts are tried in the URL's order. TLS, when configured, is set up by postgres.js on top of this socket as
 * usual (the TLS socket then writes as postgres.js does by itself).
 */
export async function coalescingSocket(target: SocketTarget): Promise<net.Socket> {
  const timeoutMs = (target.connect_timeout ?? 30) * 1000;
  if (target.path) return coalesce(await connect({ path: target.path }, timeoutMs), undefined);
  let last: unknown;
  for (let i = 0; i < target.host.length; i++) {
    const host = target.host[i]!;
    const port = target.port[i] ?? target.port[0] ?? 5432;
    try {
      return coalesce(await connect({ host, port }, timeoutMs), host);
    } catch (e) {
      last = e;
    }
  }
  throw last ?? new Error('no database host to connect to');
}

function connect(opts: net.NetConnectOpts, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(opts);
    const fail = (e: Error) => {
      socket.destroy();
      reject(e);
    };
    const timer = setTimeout(
      () => fail(Object.assign(new Error('connect timeout'), { code: 'CONNECT_TIMEOUT' })),
      timeoutMs,
    );
    socket.once('error', fail);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', fail);
      resolve(socket);
    });
  });
}

function coalesce(socket: net.Socket, host: string | undefined): net.Socket {
  // postgres.js reads `host` for TLS's server name, as on the sockets it makes itself.
  (socket as net.Socket & { host?: string }).host = host;
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  socket.write = ((...args: unknown[]) => {
    const chunk = args[0] as { length?: number };
    // Small writes already come batched (postgres.js flushes them in a setImmediate). A large one is written
    // by postgres.js at once; hold it until the next check phase, past postgres.js's own flush of whatever was
    // queued behind it in this tick (the COMMIT), and let both leave in one writev.
    if (socket.writableCorked === 0 && (chunk?.length ?? 0) >= HOLD_FROM_BYTES) {
      socket.cork();
      setImmediate(() => setImmediate(() => socket.uncork()));
    }
    return write(...args);
  }) as net.Socket['write'];
  return socket;
}

/** postgres.js writes a buffer this large at once instead of batching it (its `write`, connection.js). */
const HOLD_FROM_BYTES = 1024;
