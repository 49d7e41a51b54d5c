import {
  MAX_ANALYSED_CHARS,
  prepareText,
  stripQuotedAndSignature,
} from '../../../src/understanding/rules/prepare-text';

describe('stripQuotedAndSignature', () => {
  it('keeps the body and splits off the signature after "Att,"', () => {
    const { body, signature } = stripQuotedAndSignature(
      'Prezados,\nA porta veio riscada.\n\nAtt,\nSilvia – Inovar Móveis',
    );
    expect(body).toBe('Prezados,\nA porta veio riscada.');
    expect(signature).toContain('Silvia');
  });

  it('drops quoted history of a reply', () => {
    const { body } = stripQuotedAndSignature(
      'Segue a nota: 401877\n\nEm seg., 23 de nov. de 2026 às 10:12, Assistência <at@x.com> escreveu:\n> Protocolo AT-000412',
    );
    expect(body).toBe('Segue a nota: 401877');
  });

  it('does not treat a lone "Obrigado!" as a signature', () => {
    expect(stripQuotedAndSignature('Obrigado!').body).toBe('Obrigado!');
  });

  it('does not cut at words that only start like a closing ("absurdo")', () => {
    expect(stripQuotedAndSignature('oi\nabsurdo o atraso').body).toBe('oi\nabsurdo o atraso');
  });
});

describe('prepareText', () => {
  it('folds accents and case, keeps line breaks', () => {
    expect(prepareText('AÇÃO\nÉ Já').folded).toBe('acao\ne ja');
  });

  it('maps keycap digits and thumbs to words, drops other emoji', () => {
    expect(prepareText('3️⃣').folded).toBe('3');
    expect(prepareText('👍').folded).toBe('ok');
    expect(prepareText('quebrou 😬').folded).toBe('quebrou');
  });

  it('normalises NF spellings and nº', () => {
    expect(prepareText('NF-e 1 / n.f. 2 / NFe 3 / Nº 4').folded).toBe('nf 1 / nf 2 / nf 3 / numero 4');
  });

  it('expands c/ and s/', () => {
    expect(prepareText('veio s/ furação e c/ risco').folded).toBe('veio sem furacao e com risco');
  });

  it('analyses only the first characters of a huge text', () => {
    expect(prepareText('a'.repeat(MAX_ANALYSED_CHARS * 3)).original.length).toBe(MAX_ANALYSED_CHARS);
  });
});
