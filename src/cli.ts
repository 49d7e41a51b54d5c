import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, config } from './config';
import { DataDirLockedError, type DbHandle, openDatabase } from './db/client';
import { formatImportReport, IMPORT_KINDS, ImportFileError, importCsv } from './integrations/import';
import { createToken, createUser, revokeToken, roleSchema } from './services/auth';

const USAGE = `Usage:
  npm run cli -- migrate
  npm run cli -- import products|customers|invoices FILE.csv
  npm run cli -- token create --role ROLE [--name NAME]
  npm run cli -- token revoke ID|TOKEN
  npm run cli -- user create --email E --name N --role ROLE [--password P]
Roles: ${roleSchema.options.join(', ')}`;

class UsageError extends Error {}

async function withDb<T>(fn: (h: DbHandle) => Promise<T>): Promise<T> {
  const h = await openDatabase(config());
  try {
    return await fn(h);
  } finally {
    await h.close();
  }
}

function parseRole(value: string | undefined) {
  const r = roleSchema.safeParse(value);
  if (!r.success) throw new UsageError(`--role must be one of: ${roleSchema.options.join(', ')}`);
  return r.data;
}

async function run(argv: string[]): Promise<number> {
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
    console.log(USAGE);
    return cmd ? 0 : 2;
  }
  switch (cmd) {
    case 'migrate':
      await withDb(async (h) => console.log(`Database migrated (${h.kind}).`));
      return 0;
    case 'import': {
      const kind = IMPORT_KINDS.find((k) => k === sub);
      if (!kind || !arg) throw new UsageError('import needs a kind (products, customers, invoices) and a file');
      let bytes: Buffer;
      try {
        bytes = fs.readFileSync(arg);
      } catch (e) {
        console.error(`Cannot read ${arg}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
        return 1;
      }
      return withDb(async (h) => {
        const report = await importCsv(h.db, kind, bytes, { defaultWarrantyMonths: config().DEFAULT_WARRANTY_MONTHS });
        console.log(formatImportReport(report));
        return 0;
      });
    }
    case 'token':
      if (sub === 'create') {
        const role = parseRole(values.role);
        return withDb(async (h) => {
          const { id, token } = await createToken(h.db, role, values.name);
          console.log(`Token ${id} created for role ${role}. Store it now; it is not shown again:`);
          console.log(token);
          return 0;
        });
      }
      if (sub === 'revoke') {
        if (!arg) throw new UsageError('token revoke needs the token id or the token');
        return withDb(async (h) => {
          const n = await revokeToken(h.db, arg);
          console.log(n ? 'Token revoked.' : 'No active token matched.');
          return n ? 0 : 1;
        });
      }
      throw new UsageError('token needs create or revoke');
    case 'user':
      if (sub === 'create') {
        const role = parseRole(values.role);
        if (!values.email || !values.name) throw new UsageError('user create needs --email and --name');
        const { email, name, password } = values;
        return withDb(async (h) => {
          const r = await createUser(h.db, { email, name, role, password });
          console.log(`User ${email} created (${role}).`);
          if (r.generated) console.log(`Generated password (shown once): ${r.password}`);
          return 0;
        });
      }
      throw new UsageError('user needs create');
    default:
      throw new UsageError(`unknown command "${cmd}"`);
  }
}

run(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((e: unknown) => {
    if (e instanceof UsageError) console.error(`${e.message}\n\n${USAGE}`);
    else if (e instanceof ConfigError || e instanceof DataDirLockedError || e instanceof ImportFileError)
      console.error(e.message);
    else console.error(e instanceof Error ? e.message : String(e));
    process.exit(e instanceof UsageError ? 2 : 1);
  });
