import xxhash from "xxhash-wasm";

/** Checksum of one page's bytes: KSM's calc_checksum(). */
export type Checksummer = (bytes: Uint8Array) => number;

/*
 * 2.6.32 used jhash2(addr, PAGE_SIZE / 4, 17); later kernels moved to xxhash.
 * We use xxhash's 32-bit variant (WebAssembly) with the same seed: what matters
 * to KSM is only that equal pages give equal checksums and a change almost
 * surely changes it.
 */
const SEED = 17;

let loading: Promise<Checksummer> | null = null;

/** Loads xxhash-wasm once; every engine shares the instance. */
export function loadChecksummer(): Promise<Checksummer> {
  loading ??= xxhash().then(
    ({ h32Raw }) =>
      (bytes: Uint8Array) =>
        h32Raw(bytes, SEED) >>> 0,
  );
  return loading;
}
