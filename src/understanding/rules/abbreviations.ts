import type { Token } from './types';

/**
 * Informal spellings → the form keyword tables are written in. Only unambiguous ones: "n" and
 * "s" are handled in `expandAbbreviations` because they depend on what follows.
 */
const ABBREVIATIONS: Record<string, string> = {
  vc: 'voce',
  vcs: 'voces',
  pq: 'porque',
  td: 'tudo',
  tds: 'todos',
  blz: 'beleza',
  q: 'que',
  tb: 'tambem',
  tbm: 'tambem',
  tbem: 'tambem',
  tmb: 'tambem',
  msm: 'mesmo',
  qdo: 'quando',
  qnd: 'quando',
  qndo: 'quando',
  hj: 'hoje',
  obg: 'obrigado',
  obgd: 'obrigado',
  obgda: 'obrigada',
  pra: 'para',
  pro: 'para o',
  pros: 'para os',
  pras: 'para as',
  ta: 'esta',
  tao: 'estao',
  to: 'estou',
  tava: 'estava',
  tavam: 'estavam',
  eh: 'e',
  cx: 'caixa',
  cxs: 'caixas',
  pc: 'peca',
  pcs: 'pecas',
  pca: 'peca',
  pcas: 'pecas',
  und: 'unidade',
  unds: 'unidades',
  unid: 'unidade',
  unids: 'unidades',
  un: 'unidade',
  uns: 'unidades',
  qtd: 'quantidade',
  qtde: 'quantidade',
  qtdd: 'quantidade',
  qnt: 'quantidade',
  qt: 'quantidade',
  quant: 'quantidade',
  cod: 'codigo',
  ref: 'referencia',
  assist: 'assistencia',
  msg: 'mensagem',
  dps: 'depois',
  agr: 'agora',
  mto: 'muito',
  vlw: 'valeu',
  ngm: 'ninguem',
  alg: 'alguem',
  oq: 'o que',
  pf: 'por favor',
  pfv: 'por favor',
  pfvr: 'por favor',
  pls: 'por favor',
  nd: 'nada',
  ctz: 'certeza',
  dnv: 'de novo',
  vdd: 'verdade',
  fab: 'fabrica',
  nn: 'nao',
  ss: 'sim',
  sn: 'sim',
  okay: 'ok',
  okk: 'ok',
  oks: 'ok',
  oie: 'oi',
  oii: 'oi',
  ola: 'ola',
  eai: 'e ai',
  eae: 'e ai',
  iae: 'e ai',
  bdia: 'bom dia',
  numer: 'numero',
  nr: 'numero',
  danfe: 'nf',
  nfs: 'nf',
};

/** Context-free expansion of one informal word ("cx" → "caixa"); see `expandAbbreviations`. */
export function expandWord(word: string): string {
  return ABBREVIATIONS[word] ?? word;
}

/** Expands informal words in place (`norm`), leaving `raw` untouched. */
export function expandAbbreviations(tokens: Token[]): void {
  for (const [i, t] of tokens.entries()) {
    if (t.kind !== 'word') continue;
    const next = tokens[i + 1];
    if (t.raw === 'n') {
      // "n 123" is "número 123"; a lone "n" is "não".
      t.norm = next && next.kind === 'number' ? 'numero' : 'nao';
    } else if (t.raw === 'num') {
      t.norm = next && next.kind === 'number' ? 'numero' : 'em um';
    } else if (t.raw === 's') {
      t.norm = 'sim';
    } else {
      t.norm = ABBREVIATIONS[t.raw] ?? t.raw;
    }
  }
}
