import { createHash } from 'node:crypto';

/**
 * A seeded pseudo-random generator (sfc32) returning floats in [0, 1). Same seed, same sequence, on every platform:
 * the emulator's fault probabilities and synthetic data must replay identically from a seed.
 */
export function createRandom(seed: number | string): () => number {
  const state = createHash('sha256').update(String(seed)).digest();
  let a = state.readUInt32LE(0);
  let b = state.readUInt32LE(4);
  let c = state.readUInt32LE(8);
  let d = state.readUInt32LE(12);
  return () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
}

/** A stable 52-bit score in [0, 1) for a list of parts, e.g. `(seed, app, uid, itemId)`; order-sensitive. */
export function stableScore(...parts: string[]): number {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  return (digest.readUInt32BE(0) * 2 ** 20 + (digest.readUInt32BE(4) >>> 12)) / 2 ** 52;
}

/**
 * FNV-1a, 32 bits: a fast stable hash of a short string, where a cryptographic digest would cost too much (once per
 * published post) or a number is needed from a text seed.
 */
export function fnv1a(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return hash >>> 0;
}
