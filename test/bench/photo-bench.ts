import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { inspectImage, MediaStore } from '../../src/media';

/**
 * A customer's photo through the photo path of a message: content check with the full decode that makes the
 * thumbnail (`inspectImage`), then the content-addressed store (original and thumbnail written and fsynced).
 * The photos are 4000 × 3000 JPEGs of ~2.9 MB (a phone camera's 12 MP), each with different bytes, so every one
 * is really stored. Reported: CPU of this process per photo (the decode runs on libuv's threads and counts),
 * time per photo one at a time, and photos/s four at a time (libuv's default thread pool).
 */
export async function runPhotoBench(count = 16) {
  const raw = await sharp({
    create: {
      width: 4000,
      height: 3000,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 8 },
    },
  })
    .raw()
    .toBuffer();
  const base = await sharp(raw, { raw: { width: 4000, height: 3000, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
  /** The same picture with a different JPEG comment segment: other bytes, other sha256. */
  const photo = (i: number) => {
    const note = Buffer.from(`photo bench ${i}`);
    const segment = Buffer.alloc(4);
    segment.writeUInt16BE(0xfffe, 0);
    segment.writeUInt16BE(note.length + 2, 2);
    return Buffer.concat([base.subarray(0, 2), segment, note, base.subarray(2)]);
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'posvenda-photo-bench-'));
  try {
    const store = new MediaStore(dir);
    const limits = { maxBytes: 10 * 1024 * 1024, maxPixels: 50_000_000 };
    const one = async (bytes: Buffer) => {
      const check = await inspectImage(bytes, limits);
      if (!check.ok) throw new Error(`photo bench: refused (${check.reason})`);
      await store.put(bytes, check);
    };
    await one(photo(-1)); // warm-up
    const photos = Array.from({ length: count }, (_, i) => photo(i));
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const p of photos.slice(0, count / 2)) await one(p);
    const serialMs = (performance.now() - t0) / (count / 2);
    const cpu = process.cpuUsage(cpu0);
    const t1 = performance.now();
    const rest = photos.slice(count / 2);
    for (let i = 0; i < rest.length; i += 4) await Promise.all(rest.slice(i, i + 4).map(one));
    const parallelSeconds = (performance.now() - t1) / 1000;
    return {
      photos: count,
      photoBytes: base.length,
      cpuMsPerPhoto: Number(((cpu.user + cpu.system) / 1000 / (count / 2)).toFixed(1)),
      msPerPhotoOneAtATime: Number(serialMs.toFixed(1)),
      photosPerSecFourAtATime: Number((rest.length / parallelSeconds).toFixed(1)),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
