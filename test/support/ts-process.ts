/**
 * Arguments to run a TypeScript entry point as one node process, with tsx as a loader:
 * `spawn(process.execPath, tsArgs('src/main.ts'))`. The tsx CLI (`npm start`) runs the script in a child
 * process; a SIGKILL to that wrapper would leave the real server running (and still delivering), which is
 * not the crash a test means.
 */
export function tsArgs(script: string, ...args: string[]): string[] {
  return ['--import', 'tsx', script, ...args];
}

/** GET /healthz every half second until it answers 200 or ~30 s pass; resolves with the last status (0: no answer). */
export async function waitHealthy(port: number): Promise<number> {
  let health = 0;
  for (let i = 0; i < 60 && health !== 200; i++) {
    await new Promise((r) => setTimeout(r, 500));
    health = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.status,
      () => 0,
    );
  }
  return health;
}
