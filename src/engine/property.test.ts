import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { type Checksummer, loadChecksummer } from "./checksum";
import { Kernel, MADV_MERGEABLE, MADV_UNMERGEABLE, PR_SET_MEMORY_MERGE } from "./kernel";
import { PAGE_VISIT_US } from "./ksm/advisor";
import { PROFILES } from "./ksm/profile";
import { ksmdBatch } from "./ksmd";
import { invariantsAndTransparency, Shadow } from "./shadow";
import { sysfsWrite } from "./sysfs";
import { PAGE_SIZE } from "./types";

/*
 * Random sequences of operations on a small machine, checked after every
 * step: each process reads exactly what a model without KSM says it wrote
 * (transparency), frames and mapcounts add up, no KSM page is writable, the
 * counters equal what the trees and rmap lists hold, and both trees are
 * valid red-black trees. On linux-6.18 the knobs smart_scan,
 * use_zero_pages, max_page_sharing and stable_node_chains_prune_millisecs
 * change at random too, and processes turn PR_SET_MEMORY_MERGE on and off:
 * the counters must also equal what the chains and their dups hold, and
 * ksm_zero_pages the zero-page mappings KSM made (checkInvariants).
 */

const op = fc.oneof(
  { arbitrary: fc.record({ t: fc.constant("spawn" as const) }), weight: 1 },
  {
    arbitrary: fc.record({
      t: fc.constant("mmap" as const),
      p: fc.nat(3),
      pages: fc.integer({ min: 1, max: 6 }),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ t: fc.constant("munmap" as const), p: fc.nat(3), r: fc.nat(3) }), weight: 1 },
  {
    arbitrary: fc.record({
      t: fc.constant("fill" as const),
      p: fc.nat(3),
      r: fc.nat(3),
      from: fc.nat(5),
      pages: fc.integer({ min: 1, max: 6 }),
      value: fc.constantFrom(0, 1, 2, 0x8000_0001),
    }),
    weight: 5,
  },
  {
    arbitrary: fc.record({
      t: fc.constant("write" as const),
      p: fc.nat(3),
      r: fc.nat(3),
      page: fc.nat(5),
      offset: fc.constantFrom(0, 1, 4095),
      byte: fc.nat(255),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({ t: fc.constant("read" as const), p: fc.nat(3), r: fc.nat(3), page: fc.nat(5) }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      t: fc.constant("madvise" as const),
      p: fc.nat(3),
      r: fc.nat(3),
      from: fc.nat(5),
      pages: fc.integer({ min: 1, max: 7 }),
      merge: fc.boolean(),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ t: fc.constant("fork" as const), p: fc.nat(3) }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant("exit" as const), p: fc.nat(3) }), weight: 1 },
  {
    arbitrary: fc.record({ t: fc.constant("scan" as const), n: fc.integer({ min: 1, max: 40 }) }),
    weight: 8,
  },
  {
    arbitrary: fc.record({ t: fc.constant("run" as const), v: fc.constantFrom("0", "1", "1", "2") }),
    weight: 1,
  },
  // 6.18's knobs (linux-2.6.32 has none of these files: skipped there).
  {
    arbitrary: fc.oneof(
      fc.record({
        t: fc.constant("knob" as const),
        file: fc.constant("smart_scan"),
        v: fc.constantFrom("0", "1"),
      }),
      fc.record({
        t: fc.constant("knob" as const),
        file: fc.constant("use_zero_pages"),
        v: fc.constantFrom("0", "1"),
      }),
      fc.record({
        t: fc.constant("knob" as const),
        file: fc.constant("max_page_sharing"),
        v: fc.constantFrom("2", "3", "256"),
      }),
      fc.record({
        t: fc.constant("knob" as const),
        file: fc.constant("stable_node_chains_prune_millisecs"),
        v: fc.constantFrom("0", "1", "2000"),
      }),
    ),
    weight: 2,
  },
  { arbitrary: fc.record({ t: fc.constant("prctl" as const), p: fc.nat(3), v: fc.nat(1) }), weight: 1 },
);

type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

function apply(k: Kernel, shadow: Shadow, o: Op): void {
  const live = shadow.pids();
  const pid = live.length ? live[("p" in o ? o.p : 0) % live.length] : -1;
  const region = pid >= 0 && "r" in o ? shadow.region(pid, o.r) : null;
  switch (o.t) {
    case "spawn":
      if (live.length < 4) shadow.spawn(k.spawn(`P${k.tasks.size}`).pid);
      return;
    case "mmap": {
      if (pid < 0) return;
      const start = k.mmap(pid, o.pages);
      if (typeof start === "number") shadow.mmap(pid, start, o.pages);
      return;
    }
    case "munmap":
      if (region) {
        expect(k.munmap(pid, region.start, region.pages * PAGE_SIZE)).toBe(0);
        shadow.munmap(pid, region.start);
      }
      return;
    case "fill":
      if (region && o.from < region.pages) {
        const pages = Math.min(o.pages, region.pages - o.from);
        expect(k.fill(pid, region.start + o.from * PAGE_SIZE, pages, o.value)).toBe(0);
        shadow.fill(pid, region.start + o.from * PAGE_SIZE, pages, o.value);
      }
      return;
    case "write":
      if (region && o.page < region.pages) {
        const addr = region.start + o.page * PAGE_SIZE + o.offset;
        expect(k.writeByte(pid, addr, o.byte)).toBe(0);
        shadow.write(pid, addr, o.byte);
      }
      return;
    case "read":
      if (region && o.page < region.pages) {
        const addr = region.start + o.page * PAGE_SIZE;
        expect(k.readByte(pid, addr)).toBe(shadow.read(pid, addr));
      }
      return;
    case "madvise":
      if (region) {
        const err = k.madvise(
          pid,
          region.start + Math.min(o.from, region.pages - 1) * PAGE_SIZE,
          o.pages * PAGE_SIZE,
          o.merge ? MADV_MERGEABLE : MADV_UNMERGEABLE,
        );
        expect(err === 0 || err === "ENOMEM").toBe(true); // ENOMEM: a gap (memory is plenty)
      }
      return;
    case "fork":
      if (pid >= 0 && live.length < 4) {
        const child = k.fork(pid, "child");
        if (typeof child !== "string") shadow.fork(pid, child.pid);
      }
      return;
    case "exit":
      if (pid >= 0) {
        expect(k.exit(pid)).toBe(0);
        shadow.exit(pid);
      }
      return;
    case "scan":
      if (k.ksm.ksmdShouldRun()) k.ksm.ksmDoScan(o.n);
      else expect(ksmdBatch(k)).toBe(-1);
      return;
    case "run":
      expect(sysfsWrite(k, "run", o.v)).toBe(0);
      return;
    case "knob": {
      if (k.ksm.profile !== "linux-6.18") return;
      const err = sysfsWrite(k, o.file, o.v);
      expect(err === 0 || (o.file === "max_page_sharing" && err === "EBUSY")).toBe(true);
      return;
    }
    case "prctl":
      if (pid >= 0)
        expect(k.prctl(pid, PR_SET_MEMORY_MERGE, o.v)).toBe(k.ksm.profile === "linux-6.18" ? 0 : "EINVAL");
      return;
  }
}

let checksummer: Checksummer;
beforeAll(async () => {
  checksummer = await loadChecksummer();
});

describe.each(PROFILES)("random operations on %s", (profile) => {
  it("keep every invariant and stay transparent after every step", () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 10, maxLength: 60 }), (ops) => {
        // Enough frames that the OOM killer never runs: the shadow model has no OOM.
        const k = new Kernel({ frames: 512, profile, checksummer });
        const shadow = new Shadow(k);
        shadow.spawn(k.spawn("P0").pid);
        for (const o of ops) {
          apply(k, shadow, o);
          expect(invariantsAndTransparency(k, shadow)).toEqual([]);
        }
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 150) },
    );
  }, 600_000);

  it("charge ksmd PAGE_VISIT_US of CPU for each page it visits, and count each visit once: scanned or skipped", () => {
    // A mergeable region of three equal and three unique pages, and ksmd running, before the random
    // steps (half of them scans): pages merge, and unique ones age until smart_scan skips them.
    const prelude: Op[] = [
      { t: "mmap", p: 0, pages: 6 },
      { t: "fill", p: 0, r: 0, from: 0, pages: 6, value: 2 },
      ...[3, 4, 5].map((page): Op => ({ t: "write", p: 0, r: 0, page, offset: 0, byte: page })),
      { t: "madvise", p: 0, r: 0, from: 0, pages: 6, merge: true },
      { t: "run", v: "1" },
    ];
    const scan = fc.record({ t: fc.constant("scan" as const), n: fc.integer({ min: 1, max: 40 }) });
    fc.assert(
      fc.property(fc.array(fc.oneof(op, scan), { minLength: 10, maxLength: 60 }), (ops) => {
        const k = new Kernel({ frames: 512, profile, checksummer });
        let visits = 0;
        let skips = 0;
        k.tracer = (e) => {
          if (e.type === "visit") visits++;
          else if (e.type === "smart-skip") skips++;
        };
        const shadow = new Shadow(k);
        shadow.spawn(k.spawn("P0").pid);
        for (const o of [...prelude, ...ops]) {
          apply(k, shadow, o);
          expect([k.ksm.pagesScanned + k.ksm.pagesSkipped, k.ksm.pagesSkipped]).toEqual([visits, skips]);
          expect(k.ksm.ksmdCpuUs).toBe(visits * PAGE_VISIT_US);
        }
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 150) },
    );
  }, 600_000);
});
