import { beforeAll, describe, expect, it } from "vitest";
import { MADV_MERGEABLE, MADV_UNMERGEABLE, PAGE_SIZE } from "./index";
import { parseScenario, ScenarioError } from "./scenario";
import { MAX_FRAMES, MAX_MAPPED_PAGES, MAX_WORK } from "./scenario-limits";
import { sysfsRead, sysfsWrite } from "./sysfs";
import { loadEngine, newKernel } from "./testing";

beforeAll(loadEngine);

/** parseScenario's refusal of this input as [step, field, message], or "accepted". */
function refusal(json: unknown): [number | null, string | null, string] | "accepted" {
  try {
    parseScenario(json);
    return "accepted";
  } catch (e) {
    if (e instanceof ScenarioError) return [e.step, e.field, e.message];
    throw e;
  }
}

const spawnA = { op: "spawn", proc: "A" };
const mmap = (region: string, pages: number) => ({ op: "mmap", proc: "A", region, pages });
const scenario = (steps: unknown[], extra = {}) => ({ name: "t", steps, ...extra });

describe("sizes the format allows but the simulator cannot hold are refused by name (issue 9, item 5)", () => {
  it("memory_frames above MAX_FRAMES (1,048,576 used to end in a RangeError)", () => {
    expect(refusal(scenario([], { memory_frames: 1 << 20 }))).toEqual([
      null,
      "memory_frames",
      `scenario, field "memory_frames": must be an integer from 16 to ${MAX_FRAMES}`,
    ]);
    expect(refusal(scenario([], { memory_frames: MAX_FRAMES }))).toBe("accepted");
  });

  it("50 mmaps of 2^24 pages: the second is refused, naming its pages", () => {
    const steps = [spawnA, ...Array.from({ length: 50 }, (_, i) => mmap(`r${i}`, 1 << 24))];
    expect(refusal(scenario(steps))).toEqual([
      2,
      "pages",
      `step 2, field "pages": the processes would map ${2 << 24} pages in all; the simulator holds at most ${MAX_MAPPED_PAGES}`,
    ]);
  });

  it("100 forks of a 2^24-page process: the first fork is refused, naming the child", () => {
    const forks = Array.from({ length: 100 }, (_, i) => ({ op: "fork", proc: "A", child: `c${i}` }));
    expect(refusal(scenario([spawnA, mmap("r", 1 << 24), ...forks])).slice(0, 2)).toEqual([2, "child"]);
    // Mapped pages are counted while they are mapped: exiting frees room for more.
    const churn = [
      spawnA,
      mmap("r", 1 << 23),
      { op: "fork", proc: "A", child: "B" },
      { op: "exit", proc: "B" },
    ];
    expect(refusal(scenario([...churn, { op: "fork", proc: "A", child: "C" }]))).toBe("accepted");
  });

  it("a run asking for more than MAX_WORK page operations is refused at the step that does", () => {
    const fill = { op: "fill", proc: "A", region: "r", from: 0, pages: 1 << 16, value: 1 };
    const wait = (n: number) => ({ op: "wait_scans", n });
    const steps = [spawnA, mmap("r", 1 << 16), fill];
    const scans = MAX_WORK / (1 << 16);
    // 2^16 present pages: a few scans are fine, 2^24 of them are not.
    expect(refusal(scenario([...steps, wait(scans / 2)]))).toBe("accepted");
    expect(refusal(scenario([...steps, wait(scans / 2), wait(1 << 24)])).slice(0, 2)).toEqual([4, "n"]);
    // Scanning mapped but empty addresses costs 1/256 a page.
    expect(refusal(scenario([spawnA, mmap("r", 1 << 16), wait(scans)]))).toBe("accepted");
  });
});

describe("ops are looked up as own properties only (issue 9, item 5)", () => {
  it("ops named after Object.prototype members are unknown", () => {
    for (const op of ["toString", "__proto__", "constructor", "hasOwnProperty", "valueOf", "isPrototypeOf"]) {
      const json = JSON.parse(`{"name": "t", "steps": [{"op": ${JSON.stringify(op)}}]}`);
      expect(refusal(json).slice(0, 2)).toEqual([0, "op"]);
    }
  });

  it("fields named after Object.prototype members are not fields of the op", () => {
    const json = JSON.parse('{"name": "t", "steps": [{"op": "spawn", "proc": "A", "constructor": 1}]}');
    expect(refusal(json).slice(0, 2)).toEqual([0, "constructor"]);
  });

  it("sysfs files named after Object.prototype members do not exist", () => {
    const k = newKernel("linux-6.18");
    for (const file of ["constructor", "__proto__", "toString"]) {
      expect([file, sysfsRead(k, file), sysfsWrite(k, file, "1")]).toEqual([file, "ENOENT", "EACCES"]);
    }
  });
});

describe("a sysfs write reaches the store method a page at a time, as in the kernel (issue 9, item 5)", () => {
  it("6.18 (kernfs): each write() passes at most PAGE_SIZE bytes; the looping writer's last piece wins", () => {
    const k = newKernel("linux-6.18");
    // 4095 zeros and a 5 fill the first page; "6" is the second write.
    expect(sysfsWrite(k, "pages_to_scan", `${"0".repeat(PAGE_SIZE - 1)}56`)).toBe(0);
    expect(sysfsRead(k, "pages_to_scan")).toBe("6\n");
  });

  it("2.6.32 (sysfs_write_file): at most PAGE_SIZE - 1 bytes a write", () => {
    const k = newKernel("linux-2.6.32");
    expect(sysfsWrite(k, "pages_to_scan", `${"0".repeat(PAGE_SIZE - 2)}56`)).toBe(0);
    expect(sysfsRead(k, "pages_to_scan")).toBe("6\n");
  });

  it("a 50 MB number is EINVAL after its first page, as a real 6.18 answers even 4,097 digits", () => {
    const k = newKernel("linux-6.18");
    expect(sysfsWrite(k, "pages_to_scan", "1".repeat(50e6))).toBe("EINVAL");
    expect(sysfsWrite(k, "pages_to_scan", "1".repeat(PAGE_SIZE + 1))).toBe("EINVAL");
    expect(sysfsRead(k, "pages_to_scan")).toBe("100\n");
  });
});

describe("VMAs merge and split without copying large page tables each time (issue 9, item 5)", () => {
  it("50 mmaps, each just below the last: one VMA, its page table reallocated a few times, entries kept", () => {
    const k = newKernel("linux-2.6.32", 256);
    const t = k.spawn("A");
    const buffers = new Set<ArrayBufferLike>();
    const starts: number[] = [];
    for (let i = 0; i < 50; i++) {
      const start = k.mmap(t.pid, 1024);
      if (typeof start === "string") throw new Error(start);
      starts.push(start);
      expect(k.fill(t.pid, start, 1, i + 1)).toBe(0);
      buffers.add(t.mm.vmas[0].pte.buffer);
    }
    expect(t.mm.vmas).toHaveLength(1);
    expect(t.mm.vmas[0].pages).toBe(50 * 1024);
    expect(buffers.size).toBeLessThanOrEqual(8); // was 50: a new table, all copied, every time
    expect(starts.map((s) => k.readByte(t.pid, s))).toEqual(starts.map((_, i) => i + 1));
  });

  it("a one-page madvise inside a large VMA copies the one page out, not the rest", () => {
    const k = newKernel("linux-2.6.32", 256);
    const t = k.spawn("A");
    const start = k.mmap(t.pid, 4096);
    if (typeof start === "string") throw new Error(start);
    expect(k.fill(t.pid, start + 100 * PAGE_SIZE, 1, 7)).toBe(0);
    const table = t.mm.vmas[0].pte.buffer;
    for (let i = 0; i < 10; i++) {
      expect(k.madvise(t.pid, start + (10 + 2 * i) * PAGE_SIZE, PAGE_SIZE, MADV_MERGEABLE)).toBe(0);
    }
    expect(t.mm.vmas).toHaveLength(21);
    expect(t.mm.vmas.at(-1)!.pte.buffer).toBe(table); // was a copy after every split
    expect(k.readByte(t.pid, start + 100 * PAGE_SIZE)).toBe(7);
    // Advised back, the pieces merge into one VMA again, entries kept.
    expect(k.madvise(t.pid, start, 4096 * PAGE_SIZE, MADV_UNMERGEABLE)).toBe(0);
    expect(t.mm.vmas).toHaveLength(1);
    expect(k.readByte(t.pid, start + 100 * PAGE_SIZE)).toBe(7);
  });
});
