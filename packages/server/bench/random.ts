// Deterministic randomness, so every run seeds the same data and draws the same samples.

/** A seeded PRNG (mulberry32): each call returns the next number in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One element of `items` drawn with `rand` (one call); undefined only when `items` is empty. */
export function pick<T>(rand: () => number, items: ArrayLike<T>): T | undefined {
  return items[Math.floor(rand() * items.length)];
}
