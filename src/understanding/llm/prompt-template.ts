import fs from 'node:fs';
import path from 'node:path';

/** The prompts folder at the repository root (Markdown files named `<name>.v<N>.md`). */
export const PROMPTS_DIR = path.resolve(__dirname, '../../../prompts');

/** A prompt file: instructions for the system message, then (after `<!-- user -->`) the user message. */
export interface PromptTemplate {
  /** `extract.v1`: the file name without `.md`, recorded with every call. */
  version: string;
  system: string;
  user: string;
}

export interface RenderedPrompt {
  version: string;
  system: string;
  user: string;
}

const SPLIT = '<!-- user -->';
const PLACEHOLDER = /\{\{([a-z_]+)\}\}/g;

/** Read `prompts/<name>.v<version>.md`. Throws when the file lacks the user part. */
export function loadPrompt(name: string, version: number, dir = PROMPTS_DIR): PromptTemplate {
  const id = `${name}.v${version}`;
  const raw = fs.readFileSync(path.join(dir, `${id}.md`), 'utf8');
  const at = raw.indexOf(SPLIT);
  if (at < 0) throw new Error(`prompt ${id} has no "${SPLIT}" line`);
  return { version: id, system: raw.slice(0, at).trim(), user: raw.slice(at + SPLIT.length).trim() };
}

/**
 * Fill the named placeholders (`{{name}}`). Every placeholder must get a value and every value
 * must be used, so a renamed placeholder fails loudly instead of sending an empty prompt.
 */
export function renderPrompt(t: PromptTemplate, values: Record<string, string>): RenderedPrompt {
  const used = new Set<string>();
  const fill = (s: string) =>
    s.replace(PLACEHOLDER, (_, key: string) => {
      const v = values[key];
      if (v === undefined) throw new Error(`prompt ${t.version}: no value for {{${key}}}`);
      used.add(key);
      return v;
    });
  // Values are inserted in one pass: a value that itself contains `{{x}}` is not expanded.
  const out = { version: t.version, system: fill(t.system), user: fill(t.user) };
  const unused = Object.keys(values).filter((k) => !used.has(k));
  if (unused.length) throw new Error(`prompt ${t.version}: unused values ${unused.join(', ')}`);
  return out;
}

/** Customer text as data: `<<<` and `>>>` are removed, so the delimiter lines cannot be forged from inside it. */
export function asData(text: string): string {
  let out = text;
  // Removing one run may join two others into a new one ("<<>>><" → "<<<"): repeat until stable.
  for (let prev = ''; prev !== out; ) {
    prev = out;
    out = out.replace(/<<<|>>>/g, '');
  }
  return out;
}
