import type { InvoiceItemHint } from '../signals';
import { sameWord, wordKey } from './word-match';

/**
 * Nouns that name a furniture part or product. Generic on purpose: the invoice items in play add
 * their own words, so a catalogue with other products still works.
 */
const PRODUCT_NOUNS = [
  'porta',
  'gaveta',
  'gaveteiro',
  'frente',
  'modulo',
  'armario',
  'aereo',
  'balcao',
  'tampo',
  'tampa',
  'prateleira',
  'dobradica',
  'corredica',
  'trilho',
  'roldana',
  'puxador',
  'painel',
  'lateral',
  'base',
  'fundo',
  'rodape',
  'sapata',
  'pe',
  'nicho',
  'roupeiro',
  'cabeceira',
  'gabinete',
  'espelheira',
  'espelho',
  'vidro',
  'bancada',
  'cuba',
  'rack',
  'estante',
  'cristaleira',
  'penteadeira',
  'escrivaninha',
  'mesa',
  'cama',
  'bau',
  'comoda',
  'torre',
  'paneleiro',
  'despenseiro',
  'sapateira',
  'cabideiro',
  'cantoneira',
  'divisoria',
  'travessa',
  'ripado',
  'closet',
  'guarda',
  'kit',
  'jogo',
  'conjunto',
  'peca',
  'item',
  'produto',
];

/** Nouns that say "a piece" without saying which: they carry a quantity, not an identity. */
const GENERIC_NOUNS = ['peca', 'item', 'produto', 'kit', 'conjunto', 'jogo', 'par', 'volume'];

/** Colour, finish and shape words that qualify a product noun ("porta branca de giro"). */
const DESCRIPTORS = [
  'branco',
  'preto',
  'cinza',
  'grafite',
  'carvalho',
  'freijo',
  'nogueira',
  'teca',
  'amendoa',
  'off',
  'white',
  'tx',
  'azul',
  'verde',
  'rosa',
  'vermelho',
  'amarelo',
  'bege',
  'areia',
  'nude',
  'cinamomo',
  'jequitiba',
  'mel',
  'tabaco',
  'castanho',
  'marrom',
  'dourado',
  'prata',
  'inox',
  'aluminio',
  'fosco',
  'brilho',
  'laca',
  'laqueado',
  'natural',
  'malva',
  'cristal',
  'gelo',
  'salvia',
  'ebano',
  'imbuia',
  'cedro',
  'chumbo',
  'bronze',
  'niquel',
  'cromado',
  'giro',
  'correr',
  'basculante',
  'superior',
  'inferior',
  'direito',
  'esquerdo',
  'banheiro',
  'cozinha',
  'suspenso',
  'alto',
  'baixo',
  'volante',
  'casal',
  'solteiro',
  'quente',
  'pia',
  'tv',
  'grande',
  'pequeno',
  'central',
  'frontal',
  'traseiro',
  'mudo',
  'criado',
  'perfil',
  'concha',
  'botao',
  'telescopica',
  'curvo',
  'reto',
  'duplo',
  'interno',
  'externo',
  'roupa',
];

const nounKeys = new Set(PRODUCT_NOUNS.map(wordKey));
const genericKeys = new Set(GENERIC_NOUNS.map(wordKey));
const descriptorKeys = new Set(DESCRIPTORS.map(wordKey));

/** Item words too vague to identify an item ("MODULO", "KIT", "PAR") or just grammar. */
export const WEAK_ITEM_WORDS = new Set(['modulo', 'kit', 'par', 'un', 'und', 'unidade', 'conjunto', 'jogo', 'full']);
export const ITEM_STOPWORDS = new Set(['de', 'do', 'da', 'com', 'para', 'e', 'c', 's', 'p']);

export interface ProductVocabulary {
  /** Names a product or part ("porta", or an invoice item's word like "espelheira"). */
  isNoun(word: string): boolean;
  /** "peça", "item", "kit": a product without identity. */
  isGeneric(word: string): boolean;
  /** Qualifies a product: colour, finish, side, or any word of the invoice items. */
  isDescriptor(word: string): boolean;
}

function alphaWords(text: string): string[] {
  return text.toLowerCase().match(/[a-z]{2,}/g) ?? [];
}

function fuzzyIn(word: string, list: readonly string[]): boolean {
  return word.length >= 5 && list.some((w) => Math.abs(w.length - word.length) <= 2 && sameWord(word, w));
}

/** Builds the noun/descriptor tests for one message, enriched with the invoice items' own words. */
export function buildVocabulary(items: readonly InvoiceItemHint[] = []): ProductVocabulary {
  const itemNouns = new Set<string>();
  const itemDescriptors = new Set<string>();
  for (const item of items) {
    for (const w of alphaWords(item.description)) {
      if (ITEM_STOPWORDS.has(w) || w.length < 3) continue;
      if (!WEAK_ITEM_WORDS.has(w)) itemNouns.add(w);
      itemDescriptors.add(w);
    }
    for (const w of alphaWords(item.mask)) if (!ITEM_STOPWORDS.has(w)) itemDescriptors.add(w);
  }
  const nounList = [...itemNouns];
  const descriptorList = [...itemDescriptors];
  // Per-message memo: the same words are tested by several parsers.
  const memo = <T>(fn: (w: string) => T) => {
    const cache = new Map<string, T>();
    return (w: string): T => {
      if (!cache.has(w)) cache.set(w, fn(w));
      return cache.get(w)!;
    };
  };
  return {
    isNoun: memo(
      (word) => nounKeys.has(wordKey(word)) || nounList.some((w) => sameWord(word, w)) || fuzzyIn(word, PRODUCT_NOUNS),
    ),
    isGeneric: (word) => genericKeys.has(wordKey(word)),
    // A noun also qualifies another one: "frente de gaveta", "porta do aéreo".
    isDescriptor: memo(
      (word) =>
        descriptorKeys.has(wordKey(word)) ||
        nounKeys.has(wordKey(word)) ||
        descriptorList.some((w) => sameWord(word, w)),
    ),
  };
}
