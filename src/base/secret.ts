// Secrets live here and nowhere else. The Plan and everything printed from it carries
// SecretText (an id and a redacted form); only code that hands a value to a process or a
// connection calls reveal().

import type { PlanText, SecretText } from '../plan/types.ts';

export const REDACTED = '***';

export function isSecret(text: PlanText): text is SecretText {
  return typeof text === 'object' && text !== null && 'secret' in text;
}

/** The form that may be printed, logged, or put in a plan or report. */
export function shown(text: PlanText): string {
  return isSecret(text) ? text.shown : text;
}

export class SecretStore {
  readonly #values = new Map<string, string>();

  /** Registers a value and returns the SecretText that stands for it. */
  add(value: string, shownForm: string = REDACTED): SecretText {
    const id = `s${this.#values.size + 1}`;
    this.#values.set(id, value);
    return { secret: id, shown: shownForm };
  }

  reveal(text: PlanText): string {
    if (!isSecret(text)) return text;
    const value = this.#values.get(text.secret);
    if (value === undefined) throw new Error(`unknown secret ${text.secret}`);
    return value;
  }

  /** Every secret value, longest first, for scrubbing free text such as hook output. */
  values(): string[] {
    return [...this.#values.values()].filter((v) => v.length > 0).sort((a, b) => b.length - a.length);
  }

  /** Replaces every known secret value inside free text with ***. */
  redact(text: string): string {
    let out = text;
    for (const value of this.values()) out = out.split(value).join(REDACTED);
    return out;
  }
}

/** Hides the password of a URL's userinfo and any query value named like a credential. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (parsed.password) parsed.password = REDACTED;
  for (const key of [...parsed.searchParams.keys()]) {
    if (/token|key|secret|password|passwd|auth|sig/i.test(key)) parsed.searchParams.set(key, REDACTED);
  }
  return parsed.toString();
}
