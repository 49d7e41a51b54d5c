import { distance } from 'fastest-levenshtein';

/**
 * Light Portuguese stemmer: folds plural and gender so that "portas"/"porta", "branca"/"branco",
 * "puxadores"/"puxador", "laterais"/"lateral" compare equal. Not linguistics, just enough for
 * matching customer words against product descriptions.
 */
export function stemPt(word: string): string {
  const w = withoutDiminutive(singularPt(word));
  return w.length > 3 && /[aoe]$/.test(w) ? w.slice(0, -1) : w;
}

/**
 * "portinha" → "porta", "gavetinha" → "gaveta", "puxadorzinho" → "puxador": customers name small parts that way.
 * Only words of 8 letters or more, so "cozinha", "marinho" (a colour) and "caminho" stay as they are.
 */
function withoutDiminutive(w: string): string {
  if (w.length < 8) return w;
  const z = /^(.{4,})zinh([ao])$/.exec(w);
  if (z) return z[1]!;
  const m = /^(.{4,})inh([ao])$/.exec(w);
  return m ? `${m[1]}${m[2]}` : w;
}

/** Plural → singular only ("portas" → "porta", "puxadores" → "puxador"), gender kept. */
export function singularPt(word: string): string {
  let w = word;
  if (w.length > 4) {
    if (/(oes|aes)$/.test(w)) w = `${w.slice(0, -3)}ao`;
    else if (/ais$/.test(w)) w = `${w.slice(0, -3)}al`;
    else if (/eis$/.test(w)) w = `${w.slice(0, -3)}el`;
    else if (/[rz]es$/.test(w)) w = w.slice(0, -2);
    else if (/ns$/.test(w)) w = `${w.slice(0, -2)}m`;
    else if (w.endsWith('s')) w = w.slice(0, -1);
  } else if (w.length > 2 && w.endsWith('s')) {
    w = w.slice(0, -1);
  }
  return w;
}

/**
 * Sound-alike key: customers write "nixo" for "nicho", "dobradissa" for "dobradiça",
 * "corredisa" for "corrediça". Portuguese spelling pairs that sound the same collapse.
 */
export function phoneticKey(word: string): string {
  return word
    .replace(/ch/g, 'x')
    .replace(/ss/g, 's')
    .replace(/c(?=[ei])/g, 's')
    .replace(/sc(?=[ei])/g, 's')
    .replace(/z/g, 's')
    .replace(/qu(?=[ei])/g, 'k')
    .replace(/c/g, 'k')
    .replace(/lh/g, 'li')
    .replace(/nh/g, 'ni')
    .replace(/y/g, 'i')
    .replace(/w/g, 'v')
    .replace(/^h/, '')
    .replace(/(.)\1+/g, '$1');
}

/** Memo of `wordKey`: the same few hundred words are compared over and over. Bounded. */
const keyCache = new Map<string, string>();
const KEY_CACHE_LIMIT = 20_000;

/** Stem + sound-alike key: the form words are compared in. */
export function wordKey(word: string): string {
  let key = keyCache.get(word);
  if (key === undefined) {
    key = phoneticKey(stemPt(word));
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
    keyCache.set(word, key);
  }
  return key;
}

/**
 * True when two words are the same for matching purposes: equal keys, or a typo away. Short
 * words must match exactly (a one-letter slip between 4-letter words changes too much).
 */
export function sameWord(a: string, b: string): boolean {
  if (a === b) return true;
  const ka = wordKey(a);
  const kb = wordKey(b);
  if (ka === kb) return true;
  const len = Math.min(ka.length, kb.length);
  if (len < 5) return false;
  const allowed = len >= 8 ? 2 : 1;
  if (Math.abs(ka.length - kb.length) > allowed) return false;
  return distance(ka, kb) <= allowed;
}

/**
 * True when two words are the same noun, not just alike: equal once plurals are removed. "tampa"
 * and "tampo" are alike (`sameWord`) but name different parts.
 */
export function sameNoun(a: string, b: string): boolean {
  return singularPt(a) === singularPt(b);
}
