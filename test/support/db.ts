import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { type DbHandle, migrate, openPglite, openPostgres } from '../../src/db/client';

/**
 * Test databases. PGlite always; PostgreSQL too when DATABASE_URL is set (CI sets it).
 * A migrated PGlite template directory is made once per Jest worker and copied per test
 * (opening a copied dir takes ~0.6 s, a fresh in-memory PGlite + migrations ~5 s).
 */
export type DbKind = 'pglite' | 'postgres';

const pgUrl = process.env.DATABASE_URL;

/** The kinds to run integration tests on; logs once when PostgreSQL is skipped. */
export function dbKinds(): DbKind[] {
  if (!pgUrl) {
    if (!(globalThis as { __pgSkipNoted?: boolean }).__pgSkipNoted) {
      (globalThis as { __pgSkipNoted?: boolean }).__pgSkipNoted = true;
      console.warn('PostgreSQL integration tests SKIPPED: DATABASE_URL is not set (PGlite tests still run).');
    }
    return ['pglite'];
  }
  return ['pglite', 'postgres'];
}

let templateDir: Promise<string> | undefined;

async function makeTemplate(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'posvenda-tpl-'));
  const h = await openPglite(dir);
  await migrate(h);
  await h.close();
  return dir;
}

async function freshPglite(): Promise<DbHandle> {
  templateDir ??= makeTemplate();
  const tpl = await templateDir;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'posvenda-db-'));
  fs.cpSync(tpl, dir, { recursive: true });
  const h = await openPglite(dir);
  return {
    ...h,
    close: async () => {
      await h.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh PostgreSQL database (created from DATABASE_URL's server), dropped on close; `url` opens more pools on it. */
export async function freshPostgres(): Promise<DbHandle & { url: string }> {
  if (!pgUrl) throw new Error('DATABASE_URL not set');
  const name = `posvenda_t_${process.pid}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = await openPostgres(pgUrl, { max: 1 });
  await admin.db.execute(sql.raw(`CREATE DATABASE ${name}`));
  const url = new URL(pgUrl);
  url.pathname = `/${name}`;
  const h = await openPostgres(url.toString());
  await migrate(h);
  return {
    ...h,
    url: url.toString(),
    close: async () => {
      await h.close();
      await admin.db.execute(sql.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      await admin.close();
    },
  };
}

/** A fresh, migrated, empty database of the given kind. Close it in afterAll. */
export function openTestDb(kind: DbKind): Promise<DbHandle> {
  return kind === 'pglite' ? freshPglite() : freshPostgres();
}

/** A temp dir removed by the returned cleanup. */
export function tempDir(prefix = 'posvenda-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
