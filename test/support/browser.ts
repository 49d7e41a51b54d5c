import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../src/chromium-args';
import type { Database } from '../../src/db/client';
import { createUser, type Role } from '../../src/services/auth';

/**
 * Two ways to drive the staff console in tests:
 * - `ConsoleAgent`: a tiny HTTP "browser" (cookie jar, CSRF token from the last page, no
 *   redirects followed) for route × role tables and security checks;
 * - `launchChromium()`: Debian's Chromium through playwright-core, or null (with a clear
 *   warning) when no browser is installed here.
 */

export interface AgentResponse {
  status: number;
  text: string;
  /** The raw body (downloads). */
  bytes: Buffer;
  headers: Headers;
  location: string | null;
}

export class ConsoleAgent {
  readonly cookies = new Map<string, string>();
  /** The `_csrf` value of the last HTML page fetched. */
  csrf = '';

  /** `headers` go with every request (e.g. what a reverse proxy adds). */
  constructor(
    readonly base: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  private remember(headers: Headers) {
    for (const line of headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some(
        (a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]!) < Date.now()),
      );
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(
    method: string,
    url: string,
    opts: {
      form?: Record<string, string> | [string, string][];
      body?: FormData | string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<AgentResponse> {
    const headers: Record<string, string> = { ...this.headers, ...opts.headers };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: FormData | string | undefined = opts.body;
    if (opts.form) {
      body = new URLSearchParams(opts.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const res = await fetch(this.base + url, { method, headers, body, redirect: 'manual' });
    this.remember(res.headers);
    const bytes = Buffer.from(await res.arrayBuffer());
    const text = bytes.toString('utf8');
    const token = /name="_csrf" value="([^"]+)"/.exec(text);
    if (token) this.csrf = token[1]!;
    return { status: res.status, text, bytes, headers: res.headers, location: res.headers.get('location') };
  }

  get(url: string, headers?: Record<string, string>) {
    return this.request('GET', url, { headers });
  }

  /** A form post carrying the session's CSRF token (unless `_csrf` is given, or `csrf: false`). */
  post(url: string, form: Record<string, string> = {}, opts: { csrf?: boolean } = {}) {
    const withToken = opts.csrf === false || '_csrf' in form ? form : { _csrf: this.csrf, ...form };
    return this.request('POST', url, { form: withToken });
  }

  /** Log in through the login page; returns the POST's response (303 on success). */
  async login(email: string, password: string): Promise<AgentResponse> {
    await this.get('/console/login');
    const res = await this.post('/console/login', { email, password });
    if (res.status === 303) await this.get('/console/requests');
    return res;
  }
}

const ARTIFACTS = path.join(__dirname, '../../test-artifacts');

export function artifactPath(name: string): string {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Chromium headless, or null when no browser is installed (the caller skips, with this warning). */
export async function launchChromium(): Promise<Browser | null> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    console.warn(
      `Browser tests SKIPPED: no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set CHROMIUM_PATH).`,
    );
    return null;
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
}

/**
 * One logged-in console agent per role: creates `<role>@posvenda.test` ("Pessoa <role>") with the
 * password and logs in through the login page (fails the test when a login does not succeed).
 */
export async function consoleAgents<R extends Role>(
  db: Database,
  base: string,
  roles: readonly R[],
  password: string,
): Promise<Record<R, ConsoleAgent>> {
  const out = {} as Record<R, ConsoleAgent>;
  for (const role of roles) {
    const email = `${role}@posvenda.test`;
    await createUser(db, { email, name: `Pessoa ${role}`, role, password });
    const agent = new ConsoleAgent(base);
    const res = await agent.login(email, password);
    if (res.status !== 303) throw new Error(`console login as ${role} answered ${res.status}`);
    out[role] = agent;
  }
  return out;
}
