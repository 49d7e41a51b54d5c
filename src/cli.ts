import fs from 'node:fs';
import { cliFailure, runCli } from './cli/commands';
import { cliSocketPath, runThroughServer } from './cli/server-socket';
import { config } from './config';
import { DataDirLockedError, type DbHandle, openDatabase } from './db/client';

/**
 * `npm run cli` (contract §2). With the embedded database held by the running server, the command is run by
 * the server (src/cli/server-socket.ts); it refuses with one sentence only when that server cannot be reached.
 */
async function main(argv: string[]): Promise<number> {
  const files: Record<string, string> = {};
  try {
    return await runCli(argv, {
      out: (l) => console.log(l),
      err: (l) => console.error(l),
      readFile: (file) => {
        const bytes = fs.readFileSync(file);
        files[file] = bytes.toString('base64');
        return bytes;
      },
      withDb: async <T>(fn: (h: DbHandle) => Promise<T>): Promise<T> => {
        const h = await openDatabase(config());
        try {
          return await fn(h);
        } finally {
          await h.close();
        }
      },
      get defaultWarrantyMonths() {
        return config().DEFAULT_WARRANTY_MONTHS;
      },
    });
  } catch (e) {
    if (!(e instanceof DataDirLockedError)) throw e;
    const answer = await runThroughServer(cliSocketPath(config().DATA_DIR), { argv, files });
    if (!answer) throw e;
    for (const l of answer.out) console.log(l);
    for (const l of answer.err) console.error(l);
    return answer.code;
  }
}

main(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((e: unknown) => {
    const f = cliFailure(e);
    console.error(f.message);
    process.exit(f.code);
  });
