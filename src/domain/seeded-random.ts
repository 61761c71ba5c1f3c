// Seeded pseudo-random numbers for synthetic data (demo identifiers, the benchmark's county): the
// same seed always gives the same sequence, so demo data, tests and benchmark figures reproduce.
// Not for anything secret: use node:crypto for tokens and passwords.

/** A 32-bit seed from text (FNV-1a over the UTF-16 code units); a number is read as its text. */
export function seedOf(seed: string | number): number {
  const text = String(seed);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32 from a 32-bit seed: small, fast, deterministic; numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Numbers in [0, 1) from any seed: its text hashed (`seedOf`), then mulberry32. */
export function seededRandom(seed: string | number): () => number {
  return mulberry32(seedOf(seed));
}
