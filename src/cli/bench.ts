/**
 * The engine's speed benchmark:
 *   npm run -s bench -- [--pages N] [--profile linux-2.6.32|linux-6.18]
 * One process maps N pages; page i holds the 32-bit word
 * (i even ? i/8+1 : 0x80000000|i) repeated, so even pages fall into groups of
 * four equal pages and odd pages are unique. All N are advised mergeable,
 * pages_to_scan = N, sleep_millisecs = 0 (and max_kernel_pages = 0 in
 * 2.6.32, so every group can merge, as on Linux 6.18; smart_scan = 0 and
 * max_page_sharing = 1048576 in 6.18, as ksmd-rate.c sets the real ksmd).
 * Prints one JSON line:
 * the merge rate (2N pages over the first two full scans), the steady rate
 * (10N pages over the next ten), both timing only the engine's own work,
 * the resulting counters, and memory use against the simulated frames.
 */
import {
  isProfileName,
  Kernel,
  loadChecksummer,
  MADV_MERGEABLE,
  PAGE_SIZE,
  type ProfileName,
  sysfsWrite,
  waitScans,
} from "../engine";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

function timeScans(k: Kernel, scans: number): number {
  const t0 = performance.now();
  const why = waitScans(k, scans);
  if (why) throw new Error(why);
  return (performance.now() - t0) / 1000;
}

async function main(): Promise<void> {
  const pages = Number(arg("--pages", "65536"));
  const profile = arg("--profile", "linux-2.6.32");
  if (!Number.isInteger(pages) || pages < 8) throw new Error("--pages must be an integer >= 8");
  if (!isProfileName(profile)) throw new Error(`unknown profile ${profile}`);

  const frames = pages + Math.ceil(pages / 16) + 16;
  const k = new Kernel({ frames, profile: profile as ProfileName, checksummer: await loadChecksummer() });
  const pid = k.spawn("bench").pid;
  const start = k.mmap(pid, pages, "heap");
  if (typeof start === "string") throw new Error(start);
  for (let i = 0; i < pages; i++) {
    const value = i % 2 === 0 ? i / 8 + 1 : (0x8000_0000 | i) >>> 0;
    const err = k.fill(pid, start + i * PAGE_SIZE, 1, value);
    if (err) throw new Error(err);
  }
  const must = (err: string | 0) => {
    if (err) throw new Error(err);
  };
  must(k.madvise(pid, start, pages * PAGE_SIZE, MADV_MERGEABLE));
  must(sysfsWrite(k, "pages_to_scan", String(pages)));
  must(sysfsWrite(k, "sleep_millisecs", "0"));
  if (profile === "linux-2.6.32") must(sysfsWrite(k, "max_kernel_pages", "0"));
  // As shared/tools/ksmd-rate.c sets the real ksmd: no smart scan, no practical sharing limit.
  if (profile === "linux-6.18") {
    must(sysfsWrite(k, "smart_scan", "0"));
    must(sysfsWrite(k, "max_page_sharing", "1048576"));
  }
  must(sysfsWrite(k, "run", "1"));

  const mergeSeconds = timeScans(k, 2);
  const steadySeconds = timeScans(k, 10);
  const mem = process.memoryUsage();
  const frameBytes = frames * PAGE_SIZE;
  process.stdout.write(
    `${JSON.stringify({
      pages,
      merge_pages_per_s: Math.round((2 * pages) / mergeSeconds),
      steady_pages_per_s: Math.round((10 * pages) / steadySeconds),
      pages_shared: k.ksm.pagesShared,
      pages_sharing: k.ksm.pagesSharing,
      pages_unshared: k.ksm.pagesUnshared,
      profile,
      frames,
      rss_mib: Math.round(mem.rss / 2 ** 20),
      memory_ratio: Number((mem.rss / frameBytes).toFixed(3)),
    })}\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
