import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { type Checksummer, loadChecksummer } from "./checksum";
import { PROFILES } from "./ksm/profile";
import {
  decodeScenarioBytes,
  parseScenarioText,
  SCENARIO_OPS,
  SCENARIO_STEP_FIELDS,
  type Scenario,
  ScenarioRun,
  scenarioKernel,
} from "./scenario";

/*
 * Fuzzing the scenario parser: random JSON, random bytes, and mutations of the
 * real scenarios (public/scenarios and the reference ones). Whatever the input,
 * parseScenarioText returns a refusal naming where it is wrong, or a scenario
 * that runs to its end on both profiles without an exception. Bounded time is
 * the parser's work limit (MAX_WORK); the runs here use a small machine.
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

let checksummer: Checksummer;
beforeAll(async () => {
  checksummer = await loadChecksummer();
});

function corpus(dir: URL): object[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => JSON.parse(readFileSync(new URL(f, dir), "utf8")));
}
const SEEDS = [
  ...corpus(new URL("../../public/scenarios/", import.meta.url)),
  ...corpus(new URL("./testdata/reference/", import.meta.url)),
];

/** A refusal says where: the file, a step, or that it is not JSON. */
const REFUSAL = /^(scenario|step \d+)(, field "([^"\\\n]|\\.)*")?: .|^not valid JSON: ./s;

/** Parse, and run what is accepted on every profile; returns the refusal or the lines printed. */
function parseAndRun(text: string, frames?: number): string | number {
  const s = parseScenarioText(text);
  if (typeof s === "string") {
    expect(s).toMatch(REFUSAL);
    return s;
  }
  let lines = 0;
  for (const profile of PROFILES) {
    const sized: Scenario = frames ? { ...s, memory_frames: frames } : s;
    const run = new ScenarioRun(scenarioKernel(sized, profile, checksummer), sized, () => lines++);
    run.runAll();
  }
  return lines;
}

/** Values a hostile or careless file might hold anywhere. */
const hostile = fc.oneof(
  fc.constantFrom(
    0,
    -1,
    1,
    1.5,
    16,
    255,
    256,
    4095,
    4096,
    2 ** 24,
    2 ** 24 + 1,
    2 ** 32,
    2 ** 53,
    -0,
    1e308,
    "",
    "0",
    "1",
    "2",
    "run",
    "pages_to_scan",
    "__proto__",
    "constructor",
    "toString",
    'a":b,"c',
    "\u0000",
    "mergeable",
    "unmergeable",
    "PR_SET_MEMORY_MERGE",
    null,
    true,
    [],
    {},
  ),
  fc.integer({ min: -5, max: 70 }),
  fc.string({ maxLength: 8 }),
);

const FIELDS = [...SCENARIO_STEP_FIELDS, "__proto__", "constructor"];

/** One edit of a scenario's JSON value (a deep copy is edited). */
const mutation = fc.oneof(
  fc.record({
    kind: fc.constant("set" as const),
    at: fc.nat(),
    field: fc.constantFrom(...FIELDS),
    value: hostile,
  }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), field: fc.constantFrom(...FIELDS) }),
  fc.record({
    kind: fc.constant("op" as const),
    at: fc.nat(),
    op: fc.constantFrom(...SCENARIO_OPS, "toString", "hasOwnProperty"),
  }),
  fc.record({ kind: fc.constant("move" as const), at: fc.nat(), to: fc.nat() }),
  fc.record({ kind: fc.constant("copy" as const), at: fc.nat(), to: fc.nat() }),
  fc.record({ kind: fc.constant("drop" as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant("top" as const),
    field: fc.constantFrom("name", "memory_frames", "steps", "x"),
    value: hostile,
  }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(seed: object, edits: Mutation[]): unknown {
  const s = structuredClone(seed) as Record<string, unknown>;
  for (const m of edits) {
    const steps = Array.isArray(s.steps) ? (s.steps as Record<string, unknown>[]) : null;
    if (m.kind === "top") {
      s[m.field] = m.value;
      continue;
    }
    if (!steps || steps.length === 0) continue;
    const i = m.at % steps.length;
    const step = steps[i];
    const isObj = typeof step === "object" && step !== null;
    if (m.kind === "set" && isObj)
      Object.defineProperty(step, m.field, {
        value: m.value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else if (m.kind === "delete" && isObj) delete step[m.field];
    else if (m.kind === "op" && isObj) step.op = m.op;
    else if (m.kind === "move") steps.splice(m.to % steps.length, 0, ...steps.splice(i, 1));
    else if (m.kind === "copy") steps.splice(m.to % (steps.length + 1), 0, structuredClone(step));
    else if (m.kind === "drop") steps.splice(i, 1);
  }
  return s;
}

describe("fuzzing the scenario parser: a named refusal or a scenario that runs, never an exception", () => {
  it("random JSON values", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        parseAndRun(JSON.stringify(v) ?? "null", 64);
      }),
      { numRuns: RUNS },
    );
  });

  it("random objects shaped like scenarios", () => {
    const step = fc.dictionary(fc.constantFrom(...FIELDS), hostile, { maxKeys: 5 });
    const file = fc.record({ name: hostile, steps: fc.array(step, { maxLength: 12 }) }, { requiredKeys: [] });
    fc.assert(
      fc.property(file, (v) => {
        parseAndRun(JSON.stringify(v), 64);
      }),
      { numRuns: RUNS },
    );
  });

  it("random bytes and broken text, decoded as a browser does", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.constantFrom(...SEEDS),
        fc.nat(),
        (bytes, seed, cut) => {
          parseAndRun(decodeScenarioBytes(bytes));
          const text = JSON.stringify(seed);
          parseAndRun(text.slice(0, cut % text.length));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("mutations of the real scenarios, run on their own memory size", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SEEDS),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (seed, edits) => {
          const json = mutate(seed, edits);
          // The mutated file as text, and again as the CLI would format it: both parse the same way.
          const text = JSON.stringify(json);
          const once = parseAndRun(text);
          if (typeof once === "number")
            expect(parseScenarioText(JSON.stringify(parseScenarioText(text)))).toEqual(
              parseScenarioText(text),
            );
        },
      ),
      { numRuns: RUNS },
    );
  }, 60_000);

  it("the real scenarios themselves are accepted", () => {
    for (const seed of SEEDS) expect(typeof parseAndRun(JSON.stringify(seed))).toBe("number");
  });
});
