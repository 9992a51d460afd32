import v8 from 'node:v8';

/**
 * How far V8 lets the heap grow past what survived the last full collection: 1.5 x instead of up
 * to 4 x. Under sustained load (tens of thousands of short-lived request objects a second) the
 * service's heap holds about 40 MB that stays, and V8 grew it to 140-165 MB before collecting, so
 * the process peaked near 300 MB of RSS. At 1.5 x the benchmark's peak was about 230 MB (2 x: about
 * 250 MB), for more frequent but concurrent, incremental collections; no throughput was lost that
 * the benchmark could see. Measured in docs/benchmarks.md.
 */
export const HEAP_GROWING_PERCENT = 50;

/**
 * Applies HEAP_GROWING_PERCENT, unless the operator chose their own (`--heap-growing-percent` in
 * the node arguments or NODE_OPTIONS). V8 reads the setting at each full collection, so setting it
 * at start-up works.
 */
export function limitHeapGrowth(): void {
  const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((arg) =>
    /heap[-_]growing[-_]percent/.test(arg),
  );
  if (!given) v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
