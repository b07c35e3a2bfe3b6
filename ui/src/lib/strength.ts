// A deliberately simple passphrase strength estimate: length times the bits
// per character of the character classes used, with repeated characters
// counted once. It is a hint for the person choosing, not a security claim;
// the archive's key derivation is what makes guessing slow.

export const MIN_PASSPHRASE_LENGTH = 8;

export type StrengthLevel = "weak" | "fair" | "strong";

export type Strength = {
  level: StrengthLevel;
  /** Rough entropy estimate in bits. */
  bits: number;
  /** A short reason, shown next to the level. */
  reason: string;
};

/** Below this many bits a passphrase is "weak". */
export const FAIR_BITS = 45;
/** From this many bits a passphrase is "strong". */
export const STRONG_BITS = 75;

type Classes = { lower: boolean; upper: boolean; digit: boolean; symbol: boolean; other: boolean };

function classesOf(chars: string[]): Classes {
  const c: Classes = { lower: false, upper: false, digit: false, symbol: false, other: false };
  for (const ch of chars) {
    if (ch >= "a" && ch <= "z") c.lower = true;
    else if (ch >= "A" && ch <= "Z") c.upper = true;
    else if (ch >= "0" && ch <= "9") c.digit = true;
    else if (ch.charCodeAt(0) < 128) c.symbol = true; // ASCII punctuation and space
    else c.other = true; // accented letters, other scripts, emoji
  }
  return c;
}

function poolSize(c: Classes): number {
  return (c.lower ? 26 : 0) + (c.upper ? 26 : 0) + (c.digit ? 10 : 0) + (c.symbol ? 33 : 0) + (c.other ? 100 : 0);
}

/**
 * Characters that add information: a character equal to the one before it,
 * or continuing a run like "abc"/"123"/"cba", counts as a quarter.
 */
function effectiveLength(chars: string[]): number {
  let n = 0;
  for (let i = 0; i < chars.length; i++) {
    const cur = chars[i].codePointAt(0) ?? 0;
    const prev = i > 0 ? (chars[i - 1].codePointAt(0) ?? 0) : NaN;
    const prev2 = i > 1 ? (chars[i - 2].codePointAt(0) ?? 0) : NaN;
    const repeat = cur === prev;
    const step = cur - prev;
    const sequence = Math.abs(step) === 1 && prev - prev2 === step;
    n += repeat || sequence ? 0.25 : 1;
  }
  return n;
}

export function estimateStrength(passphrase: string): Strength {
  const chars = Array.from(passphrase); // code points, not UTF-16 units
  if (chars.length === 0) return { level: "weak", bits: 0, reason: "Enter a passphrase" };

  const classes = classesOf(chars);
  const kinds = Object.values(classes).filter(Boolean).length;
  const eff = effectiveLength(chars);
  const distinct = new Set(chars).size;
  const bits = Math.round(eff * Math.log2(Math.max(poolSize(classes), 2)));

  if (chars.length < MIN_PASSPHRASE_LENGTH) {
    return { level: "weak", bits, reason: `Too short: use at least ${MIN_PASSPHRASE_LENGTH} characters` };
  }
  if (distinct <= 3 || eff < chars.length * 0.6) {
    return { level: "weak", bits, reason: "Repeated or sequential characters are easy to guess" };
  }
  if (bits < FAIR_BITS) {
    return {
      level: "weak",
      bits,
      reason: kinds === 1 ? "One kind of character only: make it longer" : "Easy to guess: make it longer",
    };
  }
  if (bits < STRONG_BITS) {
    return { level: "fair", bits, reason: "Adding another word or a few characters would make it strong" };
  }
  return { level: "strong", bits, reason: "Long and varied" };
}

export type PassphraseCheck = { ok: true } | { ok: false; problem: string };

/** The rule the Create button enforces: long enough, and both entries match. */
export function checkNewPassphrase(passphrase: string, confirm: string): PassphraseCheck {
  if (Array.from(passphrase).length < MIN_PASSPHRASE_LENGTH) {
    return { ok: false, problem: `Use at least ${MIN_PASSPHRASE_LENGTH} characters` };
  }
  if (passphrase !== confirm) return { ok: false, problem: "The two entries do not match" };
  return { ok: true };
}
