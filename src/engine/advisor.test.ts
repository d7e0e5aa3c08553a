import { beforeAll, describe, expect, it } from "vitest";
import { newAdvisorCtx, PAGE_VISIT_US, scanTimeAdvisor } from "./ksm/advisor";
import { DEFAULT_KNOBS_618 } from "./ksm/profile";
import { sysfsRead, sysfsWrite } from "./sysfs";
import { loadEngine, mergeableProc, newKernel, scans } from "./testing";

beforeAll(loadEngine);

const S = 1_000_000; // µs in a second

describe("linux-6.18 scan-time advisor", () => {
  it("scan_time_advisor(): the kernel's integer arithmetic, step by step", () => {
    const ctx = newAdvisorCtx();
    const knobs = { ...DEFAULT_KNOBS_618, advisorMode: "scan-time" as const };
    // A 400 s scan (target 200) that used half a CPU: factor 50, change ewma(0, 100) = 30,
    // pages 500 * 100 / 50 * 30 / 100 = 300, within 10..70% of a CPU (10 to 70 per cent of 500/50).
    expect(scanTimeAdvisor(ctx, knobs, 500, 400 * S, 200 * S)).toBe(300);
    expect(ctx).toEqual({ startScanUs: 0, scanTime: 400, change: 30, cpuTimeUs: 200 * S });
    // Next: 300 s with 150 s of CPU: factor 66, change ewma(30, 75) = 43, pages 454 * 43 / 100.
    ctx.startScanUs = 1000 * S;
    expect(scanTimeAdvisor(ctx, knobs, 300, 1300 * S, 350 * S)).toBe(195);
    // A cap: advisor_max_pages_to_scan.
    expect(
      scanTimeAdvisor(newAdvisorCtx(), { ...knobs, advisorMaxPagesToScan: 100 }, 500, 400 * S, 200 * S),
    ).toBe(100);
  });

  it("runs at each full scan's end on the simulated clock, and owns pages_to_scan meanwhile", () => {
    const k = newKernel("linux-6.18");
    mergeableProc(k, "A", [1, 2, 3, 4]);
    expect(sysfsWrite(k, "advisor_mode", "scan-time")).toBe(0);
    expect(sysfsRead(k, "pages_to_scan")).toBe("500\n");
    scans(k, 1);
    // The scan took 4 page visits (4 µs): under a second counts as 1 s, 1% of a CPU at least,
    // so the floor of 10% of a CPU (500 / 1 * 10) wins.
    expect(PAGE_VISIT_US).toBe(1);
    expect(sysfsRead(k, "pages_to_scan")).toBe("5000\n");
    expect(sysfsWrite(k, "pages_to_scan", "100")).toBe("EINVAL");
    expect(sysfsWrite(k, "advisor_mode", "none")).toBe(0);
    expect(sysfsRead(k, "pages_to_scan")).toBe("100\n");
    scans(k, 1);
    expect(sysfsRead(k, "pages_to_scan")).toBe("100\n");
  });
});
