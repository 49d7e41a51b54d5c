import path from 'node:path';
import { Client, LocalAuth } from 'whatsapp-web.js';
import { CHROMIUM_ARGS } from '../../chromium-args';
import type { WhatsappClientLike } from './whatsapp-client-like';

/** Where the real client keeps its state, and which browser it drives. */
export interface RealWhatsappClientOptions {
  /**
   * Directory of the WhatsApp state, `$DATA_DIR/whatsapp` (used as given): the paired session
   * (`session/`, LocalAuth) and the cached WhatsApp Web version (`web-version-cache/`).
   */
  dataDir: string;
  /** Chromium to drive (`CHROMIUM_PATH`, Debian's `/usr/bin/chromium`): puppeteer's own download is disabled. */
  chromiumPath: string;
}

/**
 * A whatsapp-web.js `Client` driving headless Chromium. `LocalAuth` keeps the paired session under
 * `dataDir` (`$DATA_DIR/whatsapp`), so a restart does not ask for the QR again. No browser is started
 * here: `initialize()` does that. Kept in its own module so that the adapter's own modules never load
 * whatsapp-web.js (and puppeteer).
 *
 * The return type is the check that the real `Client` satisfies {@link WhatsappClientLike}.
 */
export function createRealWhatsappClient(opts: RealWhatsappClientOptions): WhatsappClientLike {
  const dir = opts.dataDir;
  return new Client({
    authStrategy: new LocalAuth({ dataPath: dir }),
    // The default cache writes `.wwebjs_cache/` into the working directory; keep everything under DATA_DIR.
    webVersionCache: { type: 'local', path: path.join(dir, 'web-version-cache') },
    puppeteer: {
      executablePath: opts.chromiumPath,
      headless: true,
      args: [...CHROMIUM_ARGS],
    },
  });
}
