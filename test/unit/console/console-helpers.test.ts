import { T } from '../../../flows/texts';
import { html, multiline, qs, trusted } from '../../../src/http/console/html';
import { safeNext } from '../../../src/http/console/routes/login';
import { deadlineText } from '../../../src/http/console/routes/queue';
import { ageInDays, deadlineMark } from '../../../src/services/console/deadline';
import { customerDecisionText } from '../../../src/services/console/decision-text';
import { LoginLimiter } from '../../../src/services/console/login-limiter';

describe('deadline marks (9-day assistance deadline)', () => {
  it.each([
    [0, 'ok'],
    [6, 'ok'],
    [7, 'near'],
    [9, 'near'],
    [10, 'past'],
  ])('day %i of a submitted request is %s', (age, mark) => {
    expect(deadlineMark(age, 9, 'submitted')).toBe(mark);
  });
  it('does not run the clock while the customer has it or after the end', () => {
    for (const s of ['returned', 'rejected', 'shipped', 'closed']) expect(deadlineMark(30, 9, s)).toBe('none');
    expect(deadlineMark(30, 9, 'charged')).toBe('past');
  });
  it('counts calendar days', () => {
    expect(ageInDays(new Date('2026-11-20T23:59:00Z'), '2026-11-29')).toBe(9);
    expect(ageInDays(new Date('2026-11-30T10:00:00Z'), '2026-11-29')).toBe(0);
  });
  it("counts the company's days (America/Sao_Paulo), not UTC's", () => {
    // 22:30 in Caxias do Sul on 20/11 is already 21/11 in UTC: opened on the 20th all the same.
    const lateEvening = new Date('2026-11-21T01:30:00Z');
    expect(ageInDays(lateEvening, '2026-11-30')).toBe(10);
    expect(deadlineMark(ageInDays(lateEvening, '2026-11-30'), 9, 'submitted')).toBe('past');
  });
  it('says it in words', () => {
    expect(deadlineText(11, 9, 'past')).toBe('11 dias · prazo vencido há 2 dias');
    expect(deadlineText(8, 9, 'near')).toBe('8 dias · prazo vence em 1 dia');
    expect(deadlineText(9, 9, 'near')).toBe('9 dias · prazo vence hoje');
    expect(deadlineText(1, 9, 'ok')).toBe('1 dia');
  });
});

describe('html template', () => {
  it('escapes every interpolation, in text and attributes', () => {
    const evil = '<script>alert(1)</script>"onload="x';
    expect(String(html`<p title="${evil}">${evil}</p>`)).toBe(
      '<p title="&lt;script&gt;alert(1)&lt;&#x2F;script&gt;&quot;onload&#x3D;&quot;x">&lt;script&gt;alert(1)&lt;&#x2F;script&gt;&quot;onload&#x3D;&quot;x</p>',
    );
  });
  it('nests fragments, flattens arrays and renders nothing for null, undefined and booleans', () => {
    const items = ['a<', 'b'].map((x) => html`<li>${x}</li>`);
    expect(String(html`<ul>${items}</ul>${null}${undefined}${false}${true}${0}`)).toBe(
      '<ul><li>a&lt;</li><li>b</li></ul>0',
    );
    expect(String(html`${trusted('<b>ok</b>')}`)).toBe('<b>ok</b>');
  });
  it('keeps line breaks of customer text as <br>, escaped', () => {
    expect(String(multiline('oi\n<b>x</b>'))).toBe('oi<br>&lt;b&gt;x&lt;&#x2F;b&gt;');
  });
  it('builds query strings from set values only', () => {
    expect(qs({ a: 'x y', b: undefined, c: '', d: 2 })).toBe('?a=x%20y&d=2');
    expect(qs({})).toBe('');
  });
});

describe('decision preview text', () => {
  it('is the catalogue text the customer receives', () => {
    expect(customerDecisionText('accept', 'AT-000001', '', null)).toBe(T.decisionAccepted('AT-000001'));
    expect(customerDecisionText('accept', 'AT-000001', 'Obrigado', null)).toBe(
      `${T.decisionAccepted('AT-000001')}\nObrigado`,
    );
    expect(customerDecisionText('return', 'AT-000001', ' Falta foto ', null)).toBe(
      T.decisionReturned('AT-000001', 'Falta foto'),
    );
    expect(customerDecisionText('charge', 'AT-000001', 'Fora', '70001')).toBe(
      T.decisionCharged('AT-000001', 'Fora', '70001'),
    );
    expect(customerDecisionText('reject', 'AT-000001', 'Não', null)).toBe(T.decisionRejected('AT-000001', 'Não'));
  });
});

describe('login limiter', () => {
  it('allows max tries per window, then refuses with a retry time, and forgets old tries', () => {
    const l = new LoginLimiter(5, 60_000);
    const t0 = 1_000_000;
    for (let i = 0; i < 5; i++) expect(l.hit('ip|a', t0 + i).allowed).toBe(true);
    const blocked = l.hit('ip|a', t0 + 10);
    expect(blocked).toEqual({ allowed: false, retryAfterS: 60, firstBlock: true });
    expect(l.hit('ip|a', t0 + 20).firstBlock).toBe(false);
    expect(l.hit('ip|b', t0 + 20).allowed).toBe(true);
    expect(l.hit('ip|a', t0 + 61_000 + 30).allowed).toBe(true);
  });
  it('keeps a bounded number of keys', () => {
    const l = new LoginLimiter(1, 60_000, 3);
    for (let i = 0; i < 10; i++) l.hit(`k${i}`, 0);
    expect(l.hit('k0', 1).allowed).toBe(true);
  });
});

describe('safeNext (no open redirect after login)', () => {
  it.each([
    ['/console/requests/AT-000001', '/console/requests/AT-000001'],
    ['/console/requests?status=all', '/console/requests?status=all'],
    ['//evil.example/console', '/console'],
    ['https://evil.example/', '/console'],
    ['/consolex', '/console'],
    ['/console/login', '/console'],
    ['/console\\@evil', '/console'],
    [undefined, '/console'],
  ])('%s → %s', (next, want) => {
    expect(safeNext(next)).toBe(want);
  });
});
