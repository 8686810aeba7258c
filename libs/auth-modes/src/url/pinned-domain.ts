/**
 * The domain that every value of a required attribute's pattern ends in, when the pattern pins
 * one: each top-level alternative must end in literal text (`\.` and letters, digits, `-`, with
 * no quantifier) that is either the whole alternative (`login\.salesforce\.com`) or a dot followed
 * by at least two labels (`[a-z0-9-]+\.my\.salesforce\.com`). `.+` or `.*\.com` pin nothing.
 *
 * Used for a placeholder that ends a URL's host: there the pattern alone decides which server
 * receives the request (and the client secret). Values are percent-encoded into the URL, so a
 * value cannot end the host early (`evil.com/`, `evil.com?`, `@` make the URL invalid).
 *
 * @returns the pinned domains, one per alternative, or `undefined` when any alternative pins none.
 */
export function pinnedDomains(pattern: string): string[] | undefined {
  if (pattern.includes('\\Q')) return undefined;
  const domains: string[] = [];
  for (const alternative of topLevelAlternatives(pattern)) {
    const domain = pinnedDomain(tokens(alternative));
    if (domain === undefined) return undefined;
    domains.push(domain);
  }
  return domains;
}

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
/** A repetition operator and its lazy marker; `{` without digits is a literal brace in RE2. */
const QUANTIFIER = /^(?:[*+?]|\{\d+(?:,\d*)?\})\??/;

interface Token {
  readonly literal?: string;
  quantified: boolean;
}

function pinnedDomain(parts: Token[]): string | undefined {
  let suffix = '';
  let index = parts.length - 1;
  for (; index >= 0; index -= 1) {
    const part = parts[index];
    if (part?.literal === undefined || part.quantified) break;
    suffix = part.literal + suffix;
  }
  if (suffix === '') return undefined;
  const whole = index < 0;
  const domain = whole ? suffix : suffix.slice(suffix.indexOf('.') + 1);
  if (!whole && !suffix.includes('.')) return undefined;
  const labels = domain.split('.');
  const enough = whole ? labels.length >= 1 : labels.length >= 2;
  return enough && labels.every((label) => LABEL.test(label)) && /[A-Za-z]/.test(labels.at(-1) ?? '') ? domain.toLowerCase() : undefined;
}

/** Splits on `|` outside groups and character classes. */
function topLevelAlternatives(pattern: string): string[] {
  const alternatives: string[] = [];
  let depth = 0;
  let inClass = false;
  let start = 0;
  for (let i = 0; i < pattern.length; i += 1) {
    const char = pattern[i];
    if (char === '\\') i += 1;
    else if (inClass) inClass = char !== ']';
    else if (char === '[') {
      inClass = true;
      i = classBodyStart(pattern, i) - 1;
    }
    else if (char === '(') depth += 1;
    else if (char === ')') depth -= 1;
    else if (char === '|' && depth === 0) {
      alternatives.push(pattern.slice(start, i));
      start = i + 1;
    }
  }
  alternatives.push(pattern.slice(start));
  return alternatives;
}

/** Literal characters of a host (`\.`, letters, digits, `-`) and opaque everything else. */
function tokens(alternative: string): Token[] {
  const parts: Token[] = [];
  for (let i = 0; i < alternative.length; ) {
    const quantifier = QUANTIFIER.exec(alternative.slice(i))?.[0];
    if (quantifier !== undefined) {
      const previous = parts.at(-1);
      if (previous) previous.quantified = true;
      i += quantifier.length;
      continue;
    }
    const char = alternative[i] as string;
    if (char === '\\') {
      const escaped = alternative[i + 1] ?? '';
      parts.push(escaped === '.' || escaped === '-' ? { literal: escaped, quantified: false } : { quantified: false });
      i += 2;
    } else if (char === '[' || char === '(') {
      const end = closing(alternative, i);
      parts.push({ quantified: false });
      i = end + 1;
    } else {
      parts.push(/[A-Za-z0-9-]/.test(char) ? { literal: char, quantified: false } : { quantified: false });
      i += 1;
    }
  }
  return parts;
}

/** The index of the `]` or `)` that closes the class or group opened at `start` (or the end). */
function closing(text: string, start: number): number {
  let depth = 0;
  let inClass = false;
  for (let i = start; i < text.length; i += 1) {
    const char = text[i];
    if (char === '\\') i += 1;
    else if (inClass) {
      if (char === ']') {
        inClass = false;
        if (depth === 0) return i;
      }
    } else if (char === '[') {
      inClass = true;
      i = classBodyStart(text, i) - 1;
    } else if (char === '(') depth += 1;
    else if (char === ')') {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  return text.length - 1;
}

/** Where a class's members start: a `]` right after `[` or `[^` is a member, not the end. */
function classBodyStart(text: string, open: number): number {
  let i = open + 1;
  if (text[i] === '^') i += 1;
  return text[i] === ']' ? i + 1 : i;
}
