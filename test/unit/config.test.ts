import { ConfigError, parseConfig } from '../../src/config';

describe('config', () => {
  it('has defaults for everything', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({
      PORT: 3000,
      DEFAULT_WARRANTY_MONTHS: 12,
      DAILY_WEIGHT_CAP_KG: 400,
      ASSISTANCE_DEADLINE_DAYS: 9,
    });
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.DATA_DIR).toMatch(/data$/);
  });
  it('names every bad variable at once and never prints values', () => {
    let err: unknown;
    try {
      parseConfig({
        PORT: 'abc',
        DATABASE_URL: 'mysql://secret-password@x',
        DAILY_WEIGHT_CAP_KG: '-5',
        IMAP_SECURE: 'maybe',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    for (const v of ['PORT', 'DATABASE_URL', 'DAILY_WEIGHT_CAP_KG', 'IMAP_SECURE']) expect(msg).toContain(v);
    expect(msg).not.toContain('secret-password');
  });
  it('accepts a decimal comma and booleans', () => {
    const c = parseConfig({ DAILY_WEIGHT_CAP_KG: '412,5', SMTP_SECURE: 'true', TODAY: '2026-11-29' });
    expect(c.DAILY_WEIGHT_CAP_KG).toBe(412.5);
    expect(c.SMTP_SECURE).toBe(true);
  });
});
