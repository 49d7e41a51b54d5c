// Bench client in its own thread (real customers are not inside the server's event loop).
// Receives { base, conversations, perConv, mode: 'closed'|'paced', rate, startK, photo } and posts back latencies.
import { parentPort, workerData } from 'node:worker_threads';

const { base, conversations: n, perConv, mode, rate, total, startK, photo } = workerData;
const script = (i, k) => {
  switch (k % 4) {
    case 0:
      return {
        text: `nf ${500000 + i} a porta 710001 chegou quebrada, 1 peça (${k})`,
        attachments: [{ filename: 'f.jpg', contentType: 'image/jpeg', data: photo }],
      };
    case 1:
      return { text: 'sim' };
    case 2:
      return { text: 'alguma novidade da minha solicitação?' };
    default:
      return { text: 'oi' };
  }
};
async function send(i, k) {
  const from = `+555498${String(i).padStart(3, '0')}0000`;
  const t0 = performance.now();
  const res = await fetch(`${base}/api/webchat/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ from, id: `b-${i}-${k}`, ...script(i, k) }),
  });
  if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
  await res.json();
  return performance.now() - t0;
}
const latencies = [];
const t0 = performance.now();
if (mode === 'closed') {
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      for (let k = startK; k < startK + perConv; k++) latencies.push(await send(i, k));
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
    busy[i] = busy[i].then(async () => {
      latencies.push(await send(i, k));
    });
    all.push(busy[i]);
  }
  await Promise.all(all);
}
parentPort.postMessage({ latencies, seconds: (performance.now() - t0) / 1000 });
