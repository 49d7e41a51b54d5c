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
  it('has LLM defaults (rules only) and checks the LLM settings', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({
      OPENAI_MODEL: 'gpt-4o-mini',
      LLM_TIMEOUT_MS: 8000,
      LLM_MAX_RETRIES: 1,
      LLM_MASK_PII: true,
      LLM_DAILY_BUDGET_USD: 2,
      LLM_BREAKER_FAILURES: 3,
      LLM_BREAKER_COOLDOWN_S: 60,
    });
    expect(c.OPENAI_API_KEY).toBeUndefined();
    expect(c.OPENAI_BASE_URL).toBeUndefined();
    const local = parseConfig({
      OPENAI_BASE_URL: 'http://localhost:11434/v1',
      LLM_MASK_PII: 'false',
      LLM_DAILY_BUDGET_USD: '0,5',
    });
    expect(local).toMatchObject({
      OPENAI_BASE_URL: 'http://localhost:11434/v1',
      LLM_MASK_PII: false,
      LLM_DAILY_BUDGET_USD: 0.5,
    });
    expect(() => parseConfig({ LLM_MAX_RETRIES: '3', OPENAI_API_KEY: 'sk-secret-value' })).toThrow(/LLM_MAX_RETRIES/);
    expect(() => parseConfig({ LLM_MAX_RETRIES: '3', OPENAI_API_KEY: 'sk-secret-value' })).not.toThrow(/sk-secret/);
    expect(() => parseConfig({ LLM_TIMEOUT_MS: '10', OPENAI_BASE_URL: 'not a url' })).toThrow(
      /LLM_TIMEOUT_MS.*OPENAI_BASE_URL|OPENAI_BASE_URL.*LLM_TIMEOUT_MS/,
    );
  });
});
