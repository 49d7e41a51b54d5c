import { formatCnpj, isValidCnpj, normalizeCnpj } from '../../../src/domain/cnpj';

describe('CNPJ', () => {
  it.each(['24.680.135/0001-03', '24680135000103', '13.579.246/0001-01', ' 31.415.926/0001-71 '])('accepts %s', (c) => {
    expect(isValidCnpj(c)).toBe(true);
  });
  it.each([
    ['wrong first check digit', '24.680.135/0001-13'],
    ['wrong second check digit', '24.680.135/0001-04'],
    ['all equal digits', '11.111.111/1111-11'],
    ['too short', '2468013500010'],
    ['too long', '246801350001033'],
    ['empty', ''],
  ])('refuses %s', (_why, c) => {
    expect(isValidCnpj(c)).toBe(false);
  });
  it('normalises and formats', () => {
    expect(normalizeCnpj('24.680.135/0001-03')).toBe('24680135000103');
    expect(normalizeCnpj('24.680.135/0001-00')).toBeNull();
    expect(formatCnpj('24680135000103')).toBe('24.680.135/0001-03');
  });
});
