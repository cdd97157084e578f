/**
 * The slice of NumPy's random machinery that Gymnasium's seeded `reset` uses:
 * `np.random.SeedSequence(seed)` -> `PCG64` -> `Generator.uniform`.
 *
 * Reproducing it bit for bit means `new Acrobot().reset({ seed: 7 })` starts
 * from exactly the state `gymnasium.make("Acrobot-v1").reset(seed=7)` does.
 * It runs a handful of times per episode, so BigInt arithmetic is fine here;
 * everything random in the hot paths (exploration, replay sampling) uses the
 * project's fast seeded generator instead.
 */

const MASK32 = 0xffffffffn;
const MASK64 = (1n << 64n) - 1n;
const MASK128 = (1n << 128n) - 1n;

// numpy/random/bit_generator.pyx
const INIT_A = 0x43b0d7e5;
const MULT_A = 0x931e8875;
const INIT_B = 0x8b51f9dd;
const MULT_B = 0x58f38ded;
const MIX_MULT_L = 0xca01f9dd;
const MIX_MULT_R = 0x4973f715;
const XSHIFT = 16;
const POOL_SIZE = 4;

// numpy/random/src/pcg64: PCG_DEFAULT_MULTIPLIER_128
const PCG_MULT = (2549297995355413924n << 64n) + 4865540595714422341n;

/** An integer's little-endian 32-bit words, as numpy's `_int_to_uint32_array`. */
function toUint32Words(n: bigint): number[] {
  if (n === 0n) return [0];
  const words: number[] = [];
  for (let x = n; x > 0n; x >>= 32n) words.push(Number(x & MASK32));
  return words;
}

/** `SeedSequence(entropy).generate_state(words, uint32)`. */
export function seedSequenceState(entropy: bigint, words: number): Uint32Array {
  const input = toUint32Words(entropy);
  const pool = new Uint32Array(POOL_SIZE);
  let hashConst = INIT_A;
  const hashmix = (value: number): number => {
    value = (value ^ hashConst) >>> 0;
    hashConst = Math.imul(hashConst, MULT_A) >>> 0;
    value = Math.imul(value, hashConst) >>> 0;
    return (value ^ (value >>> XSHIFT)) >>> 0;
  };
  const mix = (x: number, y: number): number => {
    const r = (Math.imul(MIX_MULT_L, x) - Math.imul(MIX_MULT_R, y)) >>> 0;
    return (r ^ (r >>> XSHIFT)) >>> 0;
  };
  for (let i = 0; i < POOL_SIZE; i++) pool[i] = hashmix(i < input.length ? input[i] : 0);
  for (let src = 0; src < POOL_SIZE; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++) {
      if (src !== dst) pool[dst] = mix(pool[dst], hashmix(pool[src]));
    }
  }
  for (let src = POOL_SIZE; src < input.length; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++) pool[dst] = mix(pool[dst], hashmix(input[src]));
  }

  const out = new Uint32Array(words);
  let constB = INIT_B;
  for (let i = 0; i < words; i++) {
    let v = (pool[i % POOL_SIZE] ^ constB) >>> 0;
    constB = Math.imul(constB, MULT_B) >>> 0;
    v = Math.imul(v, constB) >>> 0;
    out[i] = (v ^ (v >>> XSHIFT)) >>> 0;
  }
  return out;
}

/** NumPy's `PCG64` bit generator (XSL-RR 128/64), seeded like `PCG64(SeedSequence(seed))`. */
export class Pcg64 {
  private state = 0n;
  private readonly inc: bigint;

  constructor(seed: bigint | number) {
    const entropy = BigInt(seed);
    if (entropy < 0n) throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
    const w = seedSequenceState(entropy, 8);
    const u64 = (k: number) => BigInt(w[2 * k]) | (BigInt(w[2 * k + 1]) << 32n);
    const initState = (u64(0) << 64n) | u64(1);
    const initSeq = (u64(2) << 64n) | u64(3);
    this.inc = ((initSeq << 1n) | 1n) & MASK128;
    this.step();
    this.state = (this.state + initState) & MASK128;
    this.step();
  }

  /** The generator's state as decimal strings (JSON-safe), for checkpoints. */
  getState(): [string, string] {
    return [this.state.toString(), this.inc.toString()];
  }

  static fromState([state, inc]: readonly [string, string]): Pcg64 {
    const g = new Pcg64(0);
    g.state = BigInt(state);
    (g as unknown as { inc: bigint }).inc = BigInt(inc);
    return g;
  }

  private step(): void {
    this.state = (this.state * PCG_MULT + this.inc) & MASK128;
  }

  nextUint64(): bigint {
    this.step();
    const x = ((this.state >> 64n) ^ this.state) & MASK64;
    const rot = this.state >> 122n;
    return ((x >> rot) | (x << ((64n - rot) & 63n))) & MASK64;
  }

  /** `Generator.random()`: 53 random bits in [0, 1). */
  nextDouble(): number {
    return Number(this.nextUint64() >> 11n) * (1 / 9007199254740992);
  }

  /** `Generator.uniform(low, high)`: one draw. */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.nextDouble();
  }
}
