import { understandRules } from '../../../src/understanding/rules';
import type { InvoiceItemHint } from '../../../src/understanding/signals';
import { item, KITCHEN } from './helpers';

const refs = (text: string, invoiceItems?: InvoiceItemHint[], expecting?: 'items') =>
  understandRules(text, { invoiceItems, expecting }).productRefs;

const SAMPLE: InvoiceItemHint[] = [
  item('615020', 'PORTA GIRO 350X720', 'BRANCO SUPREMO 15MM', 4),
  item('748012', 'DOBRADICA 165 GRAUS', '', 8),
  item('626011', 'MODULO BALCAO 600 1P', 'BRANCO SUPREMO 15MM', 2),
  item('626028', 'MODULO AEREO 1000 3P', 'TECA 18MM', 1),
  item('626035', 'ARMARIO BANHEIRO 600', 'AZUL PROFUNDO 15MM', 1),
  item('615044', 'FRENTE GAVETA 700X200', 'CINZA CRISTAL 15MM', 6),
];

describe('product references by description', () => {
  it.each([
    ['frentes de gaveta cinza', '615044', 'CINZA CRISTAL 15MM'],
    ['porta branca 350x720', '615020', 'BRANCO SUPREMO 15MM'],
    ['aereo teca de 3 portas', '626028', 'TECA 18MM'],
    ['armario de banheiro azul', '626035', 'AZUL PROFUNDO 15MM'],
    ['dobradiça', '748012', undefined],
    ['o balcão', '626011', 'BRANCO SUPREMO 15MM'],
  ])('%s → %s', (text, code, mask) => {
    const [ref, ...rest] = refs(text, SAMPLE);
    expect(rest).toEqual([]);
    expect(ref?.code).toBe(code);
    expect(ref?.mask).toBe(mask);
    expect(ref?.words).toBeDefined();
  });

  it('keeps the customer words', () => {
    expect(refs('2 frentes de gaveta cinza', SAMPLE)[0]?.words).toBe('frentes de gaveta cinza');
  });

  it('accepts "branca" and "branco", singular and plural, and typos', () => {
    expect(refs('portas brancas', KITCHEN)[0]?.code).toBe('615020');
    expect(refs('porta grafite', KITCHEN)[0]?.code).toBe('615021');
    expect(refs('dobradissas', KITCHEN)[0]?.code).toBe('748012');
  });

  it('gives no code for an ambiguous description', () => {
    const [ref] = refs('a porta veio riscada', KITCHEN);
    expect(ref?.code).toBeUndefined();
    expect(ref?.words).toBe('porta');
  });

  it('gives no code when the words point at two items ("a porta do balcão")', () => {
    expect(refs('a porta do balcao chegou quebrada', SAMPLE)[0]?.code).toBeUndefined();
  });

  it('uses a colour said elsewhere in the message to break a tie', () => {
    expect(refs('a porta que quebrou é a grafite', KITCHEN)[0]?.code).toBe('615021');
  });

  it('does not take a product named as a place or a comparison for a second item', () => {
    const found = refs(
      'nf 318481. 615044 - 2 unidades. as frentes de gaveta vieram com a cor diferente, bem mais clara que o resto do balcao',
      SAMPLE,
    );
    expect(found.map((r) => [r.code, r.quantity])).toEqual([['615044', 2]]);
    expect(
      refs('a porta 615020 veio empenada, nao fecha direito no armario de banheiro', SAMPLE).map((r) => r.code),
    ).toEqual(['615020']);
  });

  it('reads diminutives ("portinhas") and "1 jogo de" as the product and its count', () => {
    const glass = [item('516015', 'PORTA VIDRO 350X900 PERFIL ALUMINIO', 'INCOLOR', 4)];
    expect(refs('as portinhas de vidro vieram manchadas', glass).map((r) => r.code)).toEqual(['516015']);
    const feet = [item('517135', 'PE BALCAO REGULAVEL 100MM 4 UN', '', 2)];
    expect(refs('é 1 jogo de pés do balção que veio com 2 pés quebrados', feet)).toEqual([
      expect.objectContaining({ code: '517135', quantity: 1 }),
    ]);
  });

  it('drops a product named only to compare with ("igual à da esquerda")', () => {
    const sides = [
      item('513113', 'LATERAL DIREITA ROUPEIRO 2200X550', 'CARVALHO MALVA 18MM', 2),
      item('513106', 'LATERAL ESQUERDA ROUPEIRO 2200X550', 'CARVALHO MALVA 18MM', 2),
    ];
    expect(refs('a furação veio do lado errado, ficou igual à da esquerda', sides)).toEqual([]);
    expect(refs('a lateral direita veio com a cor diferente da esquerda', sides).map((r) => r.code)).toEqual([
      '513113',
    ]);
    expect(refs('a esquerda veio riscada', sides).map((r) => r.code)).toEqual(['513106']);
  });

  it('drops a product said to be fine ("o trilho tá bom")', () => {
    expect(
      refs('me confundi, a porta 615020 ta boa, o que veio riscado é o balcao branco', SAMPLE).map((r) => r.code),
    ).toEqual(['626011']);
  });

  it('takes unknown words after a preposition for a place when the invoice is known, and its count for the product', () => {
    const found = refs('o balcao 626011 esta com o MDF esfarelando na dobradiça do canto, 1 unidade', [SAMPLE[2]!]);
    expect(found).toEqual([expect.objectContaining({ code: '626011', quantity: 1 })]);
  });

  it('still takes a product after a preposition when it is the only one, or has its quantity', () => {
    expect(refs('riscou no balcao', SAMPLE).map((r) => r.code)).toEqual(['626011']);
    expect(refs('a porta 615020 e 2 das frentes de gaveta cinza', SAMPLE).map((r) => r.code)).toEqual([
      '615020',
      '615044',
    ]);
    expect(refs('a porta 615020 veio riscada e o balcao tambem', SAMPLE).map((r) => r.code)).toEqual([
      '615020',
      '626011',
    ]);
  });

  it('does not take the hinge of "furação da dobradiça" for the product', () => {
    const found = refs('uma das portas do aereo veio sem a furacao da dobradica', [SAMPLE[3]!, SAMPLE[1]!]);
    expect(found.map((r) => r.code)).toEqual(['626028']);
  });

  it('matches a colour alone when the bot asked which item', () => {
    expect(refs('a grafite', KITCHEN, 'items')[0]?.code).toBe('615021');
  });

  it('finds several products', () => {
    const found = refs('2 portas brancas e 1 frente de gaveta cinza', KITCHEN);
    expect(found.map((r) => [r.code, r.quantity])).toEqual([
      ['615020', 2],
      ['615044', 1],
    ]);
  });
});

describe('product references by code', () => {
  it('resolves an invoice item code with its mask', () => {
    expect(refs('615044', KITCHEN, 'items')).toEqual([{ code: '615044', mask: 'CINZA CRISTAL 15MM' }]);
  });

  it('picks the mask of a code with several masks from the colour words', () => {
    const f = [
      item('615020', 'PORTA GIRO 350X720', 'BRANCO SUPREMO 15MM'),
      item('615020', 'PORTA GIRO 350X720', 'GRAFITE 15MM'),
    ];
    expect(refs('a porta 615020 grafite veio lascada', f)[0]).toMatchObject({ code: '615020', mask: 'GRAFITE 15MM' });
    expect(refs('615020', f, 'items')[0]?.mask).toBeUndefined();
  });

  it.each([
    ['a porta 615020 veio riscada', '615020'],
    ['cod 626035', '626035'],
    ['ref. 615044', '615044'],
    ['armário de banheiro 626035 azul', '626035'],
  ])('without invoice context, reads %s next to a product word', (text, code) => {
    expect(refs(text).map((r) => r.code)).toEqual([code]);
  });

  it('does not read a lone number as a product code', () => {
    expect(refs('615020')).toEqual([]);
  });
});

describe('quantities', () => {
  it.each([
    ['2 portas', 2],
    ['duas portas', 2],
    ['1 peça', 1],
    ['porta branca x2', 2],
    ['porta branca, qtd 2', 2],
    ['porta branca 2 unidades', 2],
    ['2 (duas) portas brancas', 2],
    ['preciso de 4 dobradiças', 4],
  ])('%s → %d', (text, q) => {
    const s = understandRules(text, { invoiceItems: KITCHEN });
    const all = [...s.productRefs.map((r) => r.quantity), s.quantity].filter((v) => v !== undefined);
    expect(all).toEqual([q]);
  });

  it('puts "1 peça" later in the message on the product named before', () => {
    const s = understandRules('Nota 245110, a porta 615020 branco supremo chegou com a quina amassada. 1 peça');
    expect(s.productRefs).toEqual([expect.objectContaining({ code: '615020', quantity: 1 })]);
    expect(s.quantity).toBeUndefined();
  });

  it('does not take "3 portas" of "aéreo de 3 portas" as a quantity', () => {
    expect(refs('aereo teca de 3 portas', SAMPLE)[0]?.quantity).toBeUndefined();
    expect(refs('aereo teca de 3 portas')[0]?.quantity).toBeUndefined();
  });

  it('does not take a measure or a size as a quantity', () => {
    expect(refs('porta 350x720', KITCHEN)[0]?.quantity).toBeUndefined();
    expect(refs('dobradiça 165°', KITCHEN)[0]?.quantity).toBeUndefined();
  });

  it('returns a loose quantity when no product is named', () => {
    expect(understandRules('são 2').quantity).toBe(2);
    expect(understandRules('2 unidades').quantity).toBe(2);
    expect(understandRules('2', { expecting: 'quantity' }).quantity).toBe(2);
    expect(understandRules('2').quantity).toBeUndefined();
    expect(understandRules('são 2 e não 1', { expecting: 'quantity' }).quantity).toBe(2);
  });
});

describe('another catalogue (nothing tuned to it)', () => {
  const BEDROOM: InvoiceItemHint[] = [
    item('930011', 'ROUPEIRO CASAL 6P 3G', 'NOGAL SEVILHA 15MM'),
    item('930028', 'PORTA ESPELHADA 450X2100', 'PRATA 4MM', 2),
    item('930035', 'CABIDEIRO OVAL 800', 'CROMADO', 2),
    item('930042', 'PE REGULAVEL 100MM 4 UN', '', 2),
    item('930059', 'PORTA GIRO 450X2100', 'NOGAL SEVILHA 15MM', 4),
  ];

  it.each([
    ['o pé regulável veio quebrado', '930042'],
    ['a porta espelhada', '930028'],
    ['o cabideiro veio torto', '930035'],
    ['uma porta de giro nogal sevilha empenou', '930059'],
    ['o guarda-roupa de 6 portas', '930011'],
  ])('%s → %s', (text, code) => {
    expect(refs(text, BEDROOM).map((r) => r.code)).toEqual([code]);
  });

  it('does not count the "6 portas" that describe the wardrobe', () => {
    expect(refs('o guarda-roupa de 6 portas', BEDROOM)[0]?.quantity).toBeUndefined();
    expect(refs('2 portas espelhadas', BEDROOM)[0]?.quantity).toBe(2);
  });
});
