import { parseArgs } from 'node:util';
import type { DbHandle } from '../db/client';
import { formatImportReport, IMPORT_KINDS, importCsv } from '../integrations/import';
import { createToken, createUser, revokeToken, roleSchema } from '../services/auth';

export const USAGE = `Usage:
  npm run cli -- migrate
  npm run cli -- import products|customers|invoices FILE.csv
  npm run cli -- token create --role ROLE [--name NAME]
  npm run cli -- token revoke ID|TOKEN
  npm run cli -- user create --email E --name N --role ROLE [--password P]
Roles: ${roleSchema.options.join(', ')}`;

export class UsageError extends Error {}

/** Where a command prints, reads its files and finds the database: the terminal, or the running server. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** The bytes of a file named on the command line; throws (with `code`) when it cannot be read. */
  readFile(file: string): Buffer;
  /** Runs `fn` with the database (opened for it, or the server's own). */
  withDb<T>(fn: (h: DbHandle) => Promise<T>): Promise<T>;
  defaultWarrantyMonths: number;
}

function parseRole(value: string | undefined) {
  const r = roleSchema.safeParse(value);
  if (!r.success) throw new UsageError(`--role must be one of: ${roleSchema.options.join(', ')}`);
  return r.data;
}

/** One CLI command (contract §2); resolves with the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      name: { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [cmd, sub, arg] = positionals;
  if (values.help || !cmd) {
    io.out(USAGE);
    return cmd ? 0 : 2;
  }
  switch (cmd) {
    case 'migrate':
      await io.withDb(async (h) => io.out(`Database migrated (${h.kind}).`));
      return 0;
    case 'import': {
      const kind = IMPORT_KINDS.find((k) => k === sub);
      if (!kind || !arg) throw new UsageError('import needs a kind (products, customers, invoices) and a file');
      let bytes: Buffer;
      try {
        bytes = io.readFile(arg);
      } catch (e) {
        io.err(`Cannot read ${arg}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
        return 1;
      }
      return io.withDb(async (h) => {
        const report = await importCsv(h.db, kind, bytes, { defaultWarrantyMonths: io.defaultWarrantyMonths });
        io.out(formatImportReport(report));
        return 0;
      });
    }
    case 'token':
      if (sub === 'create') {
        const role = parseRole(values.role);
        return io.withDb(async (h) => {
          const { id, token } = await createToken(h.db, role, values.name);
          io.out(`Token ${id} created for role ${role}. Store it now; it is not shown again:`);
          io.out(token);
          return 0;
        });
      }
      if (sub === 'revoke') {
        if (!arg) throw new UsageError('token revoke needs the token id or the token');
        return io.withDb(async (h) => {
          const n = await revokeToken(h.db, arg);
          io.out(n ? 'Token revoked.' : 'No active token matched.');
          return n ? 0 : 1;
        });
      }
      throw new UsageError('token needs create or revoke');
    case 'user':
      if (sub === 'create') {
        const role = parseRole(values.role);
        if (!values.email || !values.name) throw new UsageError('user create needs --email and --name');
        const { email, name, password } = values;
        return io.withDb(async (h) => {
          const r = await createUser(h.db, { email, name, role, password });
          io.out(`User ${email} created (${role}).`);
          if (r.generated) io.out(`Generated password (shown once): ${r.password}`);
          return 0;
        });
      }
      throw new UsageError('user needs create');
    default:
      throw new UsageError(`unknown command "${cmd}"`);
  }
}

/** The exit code and the message for an error a command ended with (with the usage for a usage error). */
export function cliFailure(e: unknown): { code: number; message: string } {
  if (e instanceof UsageError) return { code: 2, message: `${e.message}\n\n${USAGE}` };
  return { code: 1, message: e instanceof Error ? e.message : String(e) };
}

/** A command sent by the CLI to the running server, run on the server's database; its output collected. */
export async function runCliOnServer(
  req: { argv: string[]; files: Record<string, string> },
  db: DbHandle,
  defaultWarrantyMonths: number,
): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    readFile: (file) => {
      const b64 = req.files[file];
      if (b64 === undefined) throw Object.assign(new Error(`${file} was not sent`), { code: 'ENOENT' });
      return Buffer.from(b64, 'base64');
    },
    withDb: (fn) => fn(db),
    defaultWarrantyMonths,
  };
  try {
    return { code: await runCli(req.argv, io), out, err };
  } catch (e) {
    const f = cliFailure(e);
    return { code: f.code, out, err: [...err, f.message] };
  }
}
