import { normalizeContact, normalizeEmail, normalizePhone, phoneMatchKeys } from '../../../src/domain/phone';

describe('phone normalisation', () => {
  it.each([
    ['(54) 99999-0000', '+5554999990000'],
    ['54999990000', '+5554999990000'],
    ['+55 54 9 9999-0000', '+5554999990000'],
    ['(054) 99999-0000', '+5554999990000'],
    ['55 3221-7070', '+555532217070'],
    ['+55 (55) 3221-7070', '+555532217070'],
    ['4730354141', '+554730354141'],
    ['005554999990000', '+5554999990000'],
  ])('%s → %s', (input, out) => {
    expect(normalizePhone(input)).toBe(out);
  });
  it.each(['', '123', '99999-0000', '(00) 99999-0000', '54 89999-00000', '(54) 8999-00000'])('refuses %s', (p) => {
    expect(normalizePhone(p)).toBeNull();
  });
  it('matches with and without the mobile extra 9', () => {
    expect(phoneMatchKeys('+5554999990000')).toEqual(['+5554999990000', '+555499990000']);
    expect(phoneMatchKeys('+555499990000')).toEqual(['+555499990000', '+5554999990000']);
    // Landlines (2-5 after the area code) have no extra 9.
    expect(phoneMatchKeys('+555532217070')).toEqual(['+555532217070']);
  });
  it('lower-cases e-mails and tells contacts apart', () => {
    expect(normalizeEmail(' Loja@Exemplo.COM.br ')).toBe('loja@exemplo.com.br');
    expect(normalizeEmail('not an email')).toBeNull();
    expect(normalizeContact('SAC@Loja.com')).toBe('sac@loja.com');
    expect(normalizeContact('(54) 99999-0000')).toBe('+5554999990000');
  });
});
