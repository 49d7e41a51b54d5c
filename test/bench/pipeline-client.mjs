// Bench client in its own thread (real customers are not inside the server's event loop).
// Started with { base, conversations, photo, photos: 'new'|'repeat' }; each message { mode: 'closed'|'paced', perConv, rate, total, startK }
// runs one phase and is answered with { ok, latencies, seconds, trace }; the bench terminates the thread.
// It shares the machine's CPU with the server, so it uses node:http with keep-alive connections (one per
// conversation, as a browser keeps one) instead of fetch, whose streams cost about twice the CPU per request.
import fs from 'node:fs';
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const { base, conversations: n, photo, photos } = workerData;
const jpeg = Buffer.from(photo, 'base64');
/**
 * The bench photo made unique for message (i, k) by a JPEG comment segment after the start-of-image marker, so
 * every report stores a new original and thumbnail (written, fsynced) as a customer's own photo would. With
 * photos 'repeat' every report sends the same bytes, which the store keeps once (the bench before 2026-12-05).
 */
function photoFor(i, k) {
  if (photos === 'repeat') return photo;
  const note = Buffer.from(`bench ${i} ${k}`);
  const segment = Buffer.alloc(4);
  segment.writeUInt16BE(0xfffe, 0);
  segment.writeUInt16BE(note.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), segment, note, jpeg.subarray(2)]).toString('base64');
}
/**
 * Step of conversation i's k-th message in its 4-step cycle. Conversations start at different steps, as real ones
 * do: in lockstep, all 50 would send their heavy report (photo, lookups) back to back every fourth wave and the
 * paced phase would measure those waves, not the load.
 */
const step = (i, k) => (i + k) % 4;
const script = (i, k) => {
  switch (step(i, k)) {
    case 0:
      return {
        text: `nf ${500000 + i} a porta 710001 chegou quebrada, 1 peça (${k})`,
        attachments: [{ filename: 'f.jpg', contentType: 'image/jpeg', data: photoFor(i, k) }],
      };
    case 1:
      return { text: 'sim' };
    case 2:
      return { text: 'alguma novidade da minha solicitação?' };
    default:
      return { text: 'oi' };
  }
};
const agent = new http.Agent({ keepAlive: true, maxSockets: n });
const url = new URL('/api/webchat/messages', base);
/** POST one message and read the whole JSON answer (the replies); resolves with the latency in ms. */
function send(i, k) {
  const from = `+555498${String(i).padStart(3, '0')}0000`;
  const t0 = performance.now();
  const body = JSON.stringify({ from, id: `b-${i}-${k}`, ...script(i, k) });
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}: ${text}`));
          const answer = JSON.parse(text);
          if (!Array.isArray(answer.replies)) return reject(new Error(`no replies: ${text}`));
          resolve(performance.now() - t0);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
/** One phase: closed loop (`perConv` messages per conversation) or open loop at `rate`/s (`total` messages). */
async function run({ mode, perConv, rate, total, startK }) {
  const latencies = [];
  /** [ms since the phase started, step, latency ms] per message, for BENCH_TRACE. */
  const trace = [];
  const t0 = performance.now();
  const one = async (i, k) => {
    const at = performance.now() - t0;
    const ms = await send(i, k);
    latencies.push(ms);
    trace.push([Math.round(at), step(i, k), Number(ms.toFixed(1))]);
  };
  if (mode === 'closed') {
    await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        for (let k = startK; k < startK + perConv; k++) await one(i, k);
      }),
    );
  } else {
    // Open loop at `rate` messages/s spread over the conversations; one message in flight per conversation.
    const gap = 1000 / rate;
    const busy = new Array(n).fill(Promise.resolve());
    const nextK = new Array(n).fill(startK);
    const all = [];
    for (let j = 0; j < total; j++) {
      const wait = t0 + j * gap - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const i = j % n;
      const k = nextK[i]++;
      busy[i] = busy[i].then(() => one(i, k));
      all.push(busy[i]);
    }
    await Promise.all(all);
  }
  return { latencies, seconds: (performance.now() - t0) / 1000, trace };
}

// The same thread and connections serve every phase, as a warm load generator: a new thread would spend the
// first seconds of a phase compiling its own code on the machine's two cores, and measure that.
// This thread's Linux thread id, so the bench can tell the client's CPU from the server's (null elsewhere).
let tid = null;
try {
  tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
} catch {}
parentPort.postMessage({ tid });
parentPort.on('message', async (msg) => {
  try {
    parentPort.postMessage({ ok: true, ...(await run(msg)) });
  } catch (err) {
    parentPort.postMessage({ ok: false, error: String(err?.stack ?? err) });
  }
});
