import { mergeCandidates } from '../../../../src/understanding/llm/merge-candidates';
import type { Extraction } from '../../../../src/understanding/llm/model-output';
import { understandRules } from '../../../../src/understanding/rules';
import type { UnderstandingContext } from '../../../../src/understanding/signals';
import { item } from '../helpers';

const ITEMS = [
  item('410100', 'PORTA BASCULANTE 700X350', 'CARVALHO MALVA 18MM', 4),
  item('410117', 'FRENTE GAVETA 600X180', 'GRAFITE 15MM', 6),
  item('930011', 'DOBRADICA CURVA 35MM', '', 12),
];
const none: Extraction = { intent: null, invoice_numbers: [], cnpj: null, products: [], reason: null, summary: '' };
const model = (m: Partial<Extraction>): Extraction => ({ ...none, ...m });

function merge(
  text: string,
  m: Partial<Extraction>,
  ctx: UnderstandingContext = {},
  extra: { inFlow?: boolean; check?: [string, boolean][] } = {},
) {
  return mergeCandidates({
    rules: understandRules(text, ctx),
    model: model(m),
    text,
    ctx,
    inFlow: extra.inFlow ?? false,
    invoiceCheck: new Map(extra.check ?? []),
  });
}

describe('mergeCandidates: the model proposes, rules and validators decide', () => {
  it('fills an item the rules could not map, from the invoice in play', () => {
    const text = 'a peça de cima do armário veio com a pintura meio estranha';
    expect(understandRules(text, { invoiceItems: ITEMS }).productRefs.some((r) => r.code)).toBe(false);
    const { signals, choices } = merge(
      text,
      {
        products: [{ item_code: '410100', words: 'a peça de cima do armário', quantity: null }],
        reason: { category: 'industria', evidence: 'a pintura meio estranha' },
      },
      { invoiceItems: ITEMS, expecting: 'items' },
    );
    expect(signals.productRefs).toEqual([
      { code: '410100', mask: 'CARVALHO MALVA 18MM', words: 'a peça de cima do armário' },
    ]);
    expect(signals.reason).toEqual({ category: 'industria', description: 'a pintura meio estranha' });
    expect(choices).toMatchObject({ products: { source: 'llm' }, reason: { source: 'llm' } });
  });

  it('keeps exact codes and keyword invoice numbers from the rules', () => {
    const text = 'NF 88001, a porta 410100 chegou amassada';
    const { signals, choices } = merge(
      text,
      {
        invoice_numbers: [{ value: '88002', evidence: 'NF 88001' }],
        products: [{ item_code: '410117', words: 'a porta', quantity: 3 }],
        reason: { category: 'cliente', evidence: 'chegou amassada' },
      },
      { invoiceItems: ITEMS },
    );
    expect(signals.invoiceNumbers).toEqual(['88001']);
    expect(signals.productRefs.map((r) => r.code)).toEqual(['410100']);
    expect(signals.reason?.category).toBe('transporte');
    expect(choices).toMatchObject({
      invoice: { source: 'rules' },
      products: { source: 'rules' },
      reason: { source: 'rules' },
    });
  });

  it('refuses values that are not in the customer text', () => {
    const text = 'bom dia, preciso de ajuda com uma peça';
    const { signals, choices } = merge(text, {
      invoice_numbers: [{ value: '88003', evidence: 'nota 88003' }],
      cnpj: { value: '44.555.666/0001-81', evidence: 'cnpj' },
      products: [{ item_code: null, words: 'tampo de ilha', quantity: 2 }],
      reason: { category: 'transporte', evidence: 'chegou quebrado' },
    });
    expect(signals.invoiceNumbers).toEqual([]);
    expect(signals.cnpj).toBeUndefined();
    expect(signals.productRefs).toEqual([]);
    expect(signals.reason?.category).toBeUndefined();
    expect(choices).toMatchObject({
      invoice: { source: 'none' },
      cnpj: { source: 'none' },
      products: { source: 'none' },
    });
  });

  it('refuses an item code that is not on the invoice', () => {
    const text = 'o tampo da ilha veio rachado';
    const { signals, choices } = merge(
      text,
      { products: [{ item_code: '520048', words: 'o tampo da ilha', quantity: null }] },
      { invoiceItems: ITEMS },
    );
    expect(signals.productRefs.some((r) => r.code === '520048')).toBe(false);
    expect(choices.products?.note).toMatch(/not on the invoice/);
  });

  it('lets the validator decide a disagreement on the invoice number', () => {
    const text = 'segue a nota 88099, digo, o pedido da nota 88001 veio errado';
    const rules = understandRules(text, {});
    const last = rules.invoiceNumbers.at(-1)!;
    const other = last === '88001' ? '88099' : '88001';
    const { signals, choices } = merge(
      text,
      { invoice_numbers: [{ value: other, evidence: other }] },
      {},
      {
        check: [
          [last, false],
          [other, true],
        ],
      },
    );
    expect(signals.invoiceNumbers).toEqual([other]);
    expect(choices.invoice).toMatchObject({ source: 'llm' });
  });

  it('does not take an invoice number the customer does not own', () => {
    const text = 'o problema é na 88003';
    expect(understandRules(text, {}).invoiceNumbers).toEqual([]);
    const owned = merge(
      text,
      { invoice_numbers: [{ value: '88003', evidence: '88003' }] },
      {},
      { check: [['88003', true]] },
    );
    const foreign = merge(
      text,
      { invoice_numbers: [{ value: '88003', evidence: '88003' }] },
      {},
      { check: [['88003', false]] },
    );
    expect(owned.signals.invoiceNumbers).toEqual(['88003']);
    expect(foreign.signals.invoiceNumbers).toEqual([]);
  });

  it('never takes yes/no, options, cancelling or an intent inside a flow from the model', () => {
    const text = 'pode seguir com a solicitação conforme o combinado';
    const inFlow = merge(text, { intent: 'humano' }, {}, { inFlow: true });
    expect(inFlow.signals.intents).toEqual(understandRules(text, {}).intents);
    const vague = 'hmm sei lá então';
    expect(understandRules(vague, {}).intents).not.toContain('cancelar');
    const cancel = merge(vague, { intent: 'cancelar' });
    expect(cancel.signals.intents).not.toContain('cancelar');
    const r = merge(text, { intent: 'status' });
    expect(r.signals.yesNo).toBe(understandRules(text, {}).yesNo);
    expect(r.signals.option).toBe(understandRules(text, {}).option);
  });

  it('uses the model intent outside a flow when the rules found none', () => {
    const text = 'queria entender o que houve com aquela troca que pedi semana passada';
    expect(understandRules(text, {}).intents.filter((i) => i !== 'saudacao')).toEqual([]);
    const { signals, choices } = merge(text, { intent: 'status' });
    expect(signals.intents[0]).toBe('status');
    expect(choices.intent).toEqual({ source: 'llm' });
  });

  it('takes a quantity only when the customer said it', () => {
    const text = 'duas frentes de gaveta cinza vieram descascando';
    const said = merge(
      text,
      { products: [{ item_code: '410117', words: 'frentes de gaveta cinza', quantity: 2 }] },
      { invoiceItems: ITEMS },
    );
    const invented = merge(
      'as frentes de gaveta cinza vieram descascando',
      { products: [{ item_code: '410117', words: 'frentes de gaveta cinza', quantity: 5 }] },
      { invoiceItems: ITEMS },
    );
    expect(said.signals.productRefs.find((r) => r.code === '410117')?.quantity).toBe(2);
    expect(invented.signals.productRefs.find((r) => r.code === '410117')?.quantity).toBeUndefined();
  });
});
