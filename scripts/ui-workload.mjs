/**
 * The workload of the app's benchmarks (scripts/bench-ui.mjs, scripts/soak-timetravel.mjs):
 * a scenario that fills 90 % of a machine's frames with four processes, half
 * of each one's pages common to all four (in runs of 64 equal pages) and half
 * unique, all advised mergeable, with ksmd running 1000 pages a batch.
 */
export function uiWorkload(frames) {
  const procs = 4;
  const pages = Math.floor((frames * 0.9) / procs);
  const steps = [];
  for (let p = 0; p < procs; p++) {
    const proc = `P${p}`;
    steps.push({ op: "spawn", proc }, { op: "mmap", proc, region: "heap", pages });
    for (let from = 0; from < pages; from += 64) {
      const n = Math.min(64, pages - from);
      const common = (from / 64) % 2 === 0;
      steps.push({
        op: "fill",
        proc,
        region: "heap",
        from,
        pages: n,
        value: common ? from + 1 : (0x80000000 | (p << 24) | from) >>> 0,
      });
    }
    steps.push({ op: "madvise", proc, region: "heap", from: 0, pages, advice: "mergeable" });
  }
  steps.push({ op: "sysfs", file: "run", value: "1" }, { op: "sysfs", file: "pages_to_scan", value: "1000" });
  return { name: "ui-benchmark", description: "four processes filling memory", memory_frames: frames, steps };
}
