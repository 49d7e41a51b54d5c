/**
 * Flags for Debian's headless Chromium (WhatsApp Web here; the browser tests reuse them).
 * - `--no-sandbox`: containers run as root without user namespaces, where Chromium's sandbox cannot start.
 * - `--disable-dev-shm-usage`: /dev/shm is 64 MB in Docker and Chromium crashes on it under load.
 * - no updater, sync or background fetches: fewer processes, and no traffic but the page's own.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
