/**
 * Arguments to run a TypeScript entry point as one node process, with tsx as a loader:
 * `spawn(process.execPath, tsArgs('src/main.ts'))`. The tsx CLI (`npm start`) runs the script in a child
 * process; a SIGKILL to that wrapper would leave the real server running (and still delivering), which is
 * not the crash a test means.
 */
export function tsArgs(script: string, ...args: string[]): string[] {
  return ['--import', 'tsx', script, ...args];
}
