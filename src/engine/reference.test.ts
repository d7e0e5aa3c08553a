import { readdirSync, readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { checkInvariants } from "./invariants";
import type { Kernel } from "./kernel";
import { PROFILES } from "./ksm/profile";
import {
  defaultFrames,
  type OutputLine,
  parseScenario,
  type Scenario,
  ScenarioRun,
  type Step,
} from "./scenario";
import { loadEngine, newKernel } from "./testing";
import { PAGE_SIZE } from "./types";

beforeAll(loadEngine);

const DIR = new URL("./testdata/reference/", import.meta.url);
const SCENARIOS = readdirSync(DIR)
  .filter((f) => f.endsWith(".json"))
  .sort();

/** A line as the scenario runner prints it (the format of expected-*.jsonl). */
function format(line: OutputLine): string {
  return JSON.stringify(line).replaceAll('":', '": ').replaceAll(',"', ', "');
}

function load(file: string): Scenario {
  return parseScenario(JSON.parse(readFileSync(new URL(file, DIR), "utf8")));
}

/** Every page every live process can see, as bytes (zeros where nothing is mapped). */
function memoryImage(k: Kernel): Map<string, Uint8Array> {
  const image = new Map<string, Uint8Array>();
  for (const task of k.tasks.values()) {
    for (const vma of task.mm.vmas) {
      for (let addr = vma.vmStart; addr < vma.vmEnd; addr += PAGE_SIZE) {
        const pfn = k.pageAt(task.pid, addr);
        image.set(`${task.pid}@${addr}`, pfn < 0 ? new Uint8Array(PAGE_SIZE) : k.mem.pageBytes(pfn).slice());
      }
    }
  }
  return image;
}

it("finds the reference scenarios", () => {
  expect(SCENARIOS).toEqual([
    "fresh-page-meets-ksm.json",
    "groups-and-fork.json",
    "last-sharer.json",
    "page-sharing-chains.json",
    "smart-scan.json",
    "stop-unmerge-restart.json",
    "zero-pages.json",
  ]);
});

/** Scenarios of what only 6.18 has: linux-2.6.32 has no expected lines for them (only invariants). */
const ONLY_618 = ["page-sharing-chains", "smart-scan", "zero-pages"];

for (const profile of PROFILES) {
  const expected = readFileSync(new URL(`expected-${profile}.jsonl`, DIR), "utf8")
    .split("\n")
    .filter((l) => l !== "");

  describe(`reference scenarios on ${profile}`, () => {
    for (const file of SCENARIOS) {
      const scenario = load(file);

      it(`${scenario.name}: prints exactly the expected lines, invariants hold after every step`, () => {
        const k = newKernel(profile, scenario.memory_frames ?? defaultFrames(scenario));
        const lines: string[] = [];
        const notes: string[] = [];
        const run = new ScenarioRun(
          k,
          scenario,
          (l) => lines.push(format(l)),
          (n) => notes.push(n),
        );
        while (!run.done) {
          const i = run.next;
          run.step();
          expect([i, scenario.steps[i].op, checkInvariants(k)]).toEqual([i, scenario.steps[i].op, []]);
        }
        const mine = expected.filter((l) => JSON.parse(l).scenario === scenario.name);
        if (profile === "linux-2.6.32" && ONLY_618.includes(scenario.name)) {
          expect(mine).toEqual([]);
          return;
        }
        const errnoLines = mine.filter((l) => "errno" in JSON.parse(l)).length;
        expect(mine.length - errnoLines).toBe(scenario.steps.filter((s) => s.op === "snapshot").length);
        expect(lines).toEqual(mine);
        expect(notes).toEqual([]);
      });

      it(`${scenario.name}: KSM is transparent (every process reads what it would without KSM)`, () => {
        // The same steps on a second machine where KSM never runs.
        const without: Scenario = {
          ...scenario,
          steps: scenario.steps.map(
            (s): Step =>
              s.op === "madvise" || s.op === "sysfs" || s.op === "wait_scans"
                ? { op: "snapshot", label: "-" }
                : s,
          ),
        };
        const frames = scenario.memory_frames ?? defaultFrames(scenario);
        const k1 = newKernel(profile, frames);
        const k2 = newKernel(profile, frames);
        const r1 = new ScenarioRun(k1, scenario, () => {});
        const r2 = new ScenarioRun(k2, without, () => {});
        let merged = false;
        while (!r1.done) {
          const i = r1.next;
          r1.step();
          r2.step();
          merged ||= k1.ksm.pagesSharing > 0;
          const [m1, m2] = [memoryImage(k1), memoryImage(k2)];
          expect([i, [...m1.keys()]]).toEqual([i, [...m2.keys()]]);
          for (const [key, bytes] of m1) {
            if (Buffer.compare(bytes, m2.get(key)!) !== 0) throw new Error(`step ${i}: ${key} differs`);
          }
        }
        expect(merged).toBe(true);
      });
    }
  });
}
