import { type SuggestionInput, suggestOutcome } from '../../../src/services/console/suggest-outcome';

const base: SuggestionInput = {
  reasonCategory: 'industria',
  submittedOn: '2026-11-29',
  invoiceNotFound: false,
  items: [{ productCode: '410100', warrantyUntil: '2029-10-05' }],
  photoCount: 1,
};

describe('suggestOutcome', () => {
  it('suggests accepting a factory defect in warranty, with a photo', () => {
    const s = suggestOutcome(base);
    expect(s.outcome).toBe('accept');
    expect(s.label).toMatch(/aceite/);
    expect(s.grounds).toEqual(['em garantia até 05/10/2029', 'motivo indústria (defeito de fábrica) → procedente']);
  });

  it('says since when an item is out of warranty → probably charged', () => {
    const s = suggestOutcome({ ...base, items: [{ productCode: '520031', warrantyUntil: '2026-01-09' }] });
    expect(s.outcome).toBe('charge');
    expect(s.grounds[0]).toBe(
      'fora da garantia desde 10/01/2026 (garantia até 09/01/2026) → provável assistência cobrada',
    );
  });

  it('names the items out of warranty when only some are', () => {
    const s = suggestOutcome({
      ...base,
      items: [
        { productCode: '410100', warrantyUntil: '2029-10-05' },
        { productCode: '930011', warrantyUntil: '2026-10-05' },
      ],
      submittedOn: '2026-11-29',
    });
    expect(s.outcome).toBe('charge');
    expect(s.grounds[0]).toMatch(/^930011 fora da garantia desde 06\/10\/2026/);
  });

  it('is still in warranty on the last day', () => {
    expect(suggestOutcome({ ...base, items: [{ productCode: 'x', warrantyUntil: '2026-11-29' }] }).outcome).toBe(
      'accept',
    );
  });

  it('reason cliente → improcedente/cobrada', () => {
    const s = suggestOutcome({ ...base, reasonCategory: 'cliente' });
    expect(s.outcome).toBe('reject_or_charge');
    expect(s.grounds).toContain('motivo cliente (dano na montagem, manuseio ou armazenagem) → improcedente/cobrada');
  });

  it('no photo → return asking for it', () => {
    const s = suggestOutcome({ ...base, photoCount: 0 });
    expect(s.outcome).toBe('return');
    expect(s.grounds[0]).toMatch(/sem foto.*devolver/);
  });

  it('NF not found → check first, whatever else applies, listing every ground', () => {
    const s = suggestOutcome({
      ...base,
      invoiceNotFound: true,
      photoCount: 0,
      reasonCategory: 'cliente',
      items: [{ productCode: '410100', warrantyUntil: null }],
    });
    expect(s.outcome).toBe('check');
    expect(s.label).toBe('conferir antes de decidir');
    expect(s.grounds.join('\n')).toMatch(
      /NF não localizada.*\n.*sem foto.*\n.*motivo cliente.*\n.*sem data de garantia/,
    );
  });

  it('precedence: damage by the customer outranks out of warranty', () => {
    const s = suggestOutcome({
      ...base,
      reasonCategory: 'cliente',
      items: [{ productCode: '520031', warrantyUntil: '2025-03-15' }],
    });
    expect(s.outcome).toBe('reject_or_charge');
    expect(s.grounds).toHaveLength(2);
  });

  it('transport damage in warranty → accept', () => {
    const s = suggestOutcome({ ...base, reasonCategory: 'transporte' });
    expect(s.outcome).toBe('accept');
    expect(s.grounds).toContain('motivo transporte (dano na entrega) → procedente');
  });

  it('is pure: same input, same output, input untouched', () => {
    const input = structuredClone(base);
    expect(suggestOutcome(input)).toEqual(suggestOutcome(input));
    expect(input).toEqual(base);
  });
});
