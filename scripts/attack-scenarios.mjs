#!/usr/bin/env node
/**
 * Attacks the scenario runner as a hostile or unlucky user would:
 *   node scripts/attack-scenarios.mjs [--count 3000] [--seed 1] [--timeout-s 120] [--jobs 2] [--keep]
 * writes COUNT generated scenario files to a temporary directory (junk JSON,
 * mutations of the real scenarios, sizes at and past the limits, names with
 * quotes and prototype names, long sysfs values, BOMs and UTF-16, thousands
 * of snapshots), runs each through the CLI (bundled once with esbuild, each
 * file in its own process, stdout a pipe, profiles alternating) and counts:
 *   refused  — exit 2, nothing on stdout, stderr names the step and field (refused_not_json: says
 *              "not valid JSON")
 *   errno    — ran, and printed at least one errno line
 *   normal   — ran, only snapshot lines
 *   failed   — anything else: another exit status, a stack trace or JavaScript error text,
 *              a timeout, a line that is not JSON, or fewer snapshot lines than snapshot steps
 * Prints the counts as one JSON line (with the failures' files and why), the
 * slowest runs, and exits 1 if anything failed.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const COUNT = arg("--count", 3000);
const SEED = arg("--seed", 1);
const TIMEOUT_MS = arg("--timeout-s", 120) * 1000;
const JOBS = arg("--jobs", 2);
const KEEP = process.argv.includes("--keep");

/* ---------------- the CLI and the engine's tables, bundled once with esbuild ---------------- */
const dir = mkdtempSync(join(tmpdir(), "ksm-attack-"));
async function bundle(options, name) {
  const outfile = join(dir, name);
  await build({ ...options, bundle: true, platform: "node", format: "esm", outfile, logLevel: "warning" });
  return outfile;
}
const cli = await bundle(
  { entryPoints: [new URL("../src/cli/scenario.ts", import.meta.url).pathname] },
  "cli.mjs",
);
const tables = await bundle(
  {
    stdin: {
      contents: `export { SCENARIO_OPS, SCENARIO_STEP_FIELDS } from "./scenario";
        export { PROFILES } from "./ksm/profile";
        export { sysfsFiles } from "./sysfs";`,
      resolveDir: new URL("../src/engine/", import.meta.url).pathname,
      loader: "ts",
    },
  },
  "tables.mjs",
);
const { PROFILES, SCENARIO_OPS, SCENARIO_STEP_FIELDS, sysfsFiles } = await import(pathToFileURL(tables).href);

/* ---------------- a seeded random source (mulberry32) ---------------- */
let state = SEED >>> 0;
function random() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
}
const int = (n) => Math.floor(random() * n);
const pick = (xs) => xs[int(xs.length)];

/* ---------------- what files are made of ---------------- */
const seedDirs = [
  new URL("../public/scenarios/", import.meta.url),
  new URL("../src/engine/testdata/reference/", import.meta.url),
];
const SEEDS = seedDirs.flatMap((d) =>
  readdirSync(d)
    .filter((f) => f.endsWith(".json"))
    .map((f) => JSON.parse(readFileSync(new URL(f, d), "utf8"))),
);
const PROTO = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "prototype"];
// The parser's own lists of ops and fields, and every profile's sysfs files: new ones are attacked too.
const OPS = SCENARIO_OPS;
const FIELDS = SCENARIO_STEP_FIELDS;
const SYSFS = [...new Set(PROFILES.flatMap((p) => sysfsFiles(p))), "nope", ...PROTO];
const BIG = [
  0,
  -1,
  1.5,
  15,
  16,
  4095,
  4096,
  2 ** 16,
  2 ** 18,
  2 ** 18 + 1,
  2 ** 20,
  2 ** 24,
  2 ** 24 + 1,
  2 ** 32,
  2 ** 53,
  1e308,
];
const STRINGS = ['a":b', 'x,"y', 'q": "r", "s', "\u0000\u001f", "é✓😀", "\ufeff", "", " ", ...PROTO];
const hostile = () =>
  pick([() => pick(BIG), () => pick(STRINGS), () => int(64), () => null, () => [], () => ({}), () => true])();

function junk(depth = 0) {
  const k = int(depth > 3 ? 4 : 7);
  if (k === 0) return hostile();
  if (k === 1) return random() * 1e6 - 5e5;
  if (k === 2) return pick(STRINGS) + int(100);
  if (k === 3) return int(2) === 0;
  if (k === 4) return Array.from({ length: int(5) }, () => junk(depth + 1));
  const o = {};
  for (let i = int(5); i > 0; i--)
    o[pick([...FIELDS, "name", "steps", "memory_frames", ...PROTO])] = junk(depth + 1);
  return o;
}

/** A random scenario that is mostly well formed: the kernel's errnos, not the parser's refusals. */
function plausible() {
  const steps = [];
  const procs = [];
  for (let n = 2 + int(30); n > 0; n--) {
    const p = procs.length ? pick(procs) : null;
    const kind = p ? int(12) : 0;
    if (kind === 0) {
      const name = pick(["A", "B", "C", ...STRINGS]) + procs.length;
      procs.push({ name, regions: [] });
      steps.push({ op: "spawn", proc: name });
    } else if (kind === 1) {
      const r = {
        name: `r${p.regions.length}${pick(["", 'a":b', ',"'])}`,
        pages: pick([1, 2, 8, 64, 1024, 2 ** 18]),
      };
      p.regions.push(r);
      steps.push({ op: "mmap", proc: p.name, region: r.name, pages: r.pages });
    } else if (p.regions.length && kind <= 5) {
      const r = pick(p.regions);
      const from = int(r.pages);
      const pages = 1 + int(Math.min(r.pages - from, 64));
      if (kind === 2)
        steps.push({
          op: "fill",
          proc: p.name,
          region: r.name,
          from,
          pages,
          value: pick([0, 1, 7, 2 ** 32 - 1]),
        });
      if (kind === 3)
        steps.push({
          op: "write",
          proc: p.name,
          region: r.name,
          page: from,
          offset: int(4096),
          byte: int(256),
        });
      if (kind === 4 || kind === 5)
        steps.push({
          op: "madvise",
          proc: p.name,
          region: r.name,
          from,
          pages: pick([pages, r.pages * 4]),
          advice: pick(["mergeable", "unmergeable"]),
        });
    } else if (kind === 6) {
      const child = `${p.name}c${steps.length}`;
      procs.push({ name: child, regions: [...p.regions] });
      steps.push({ op: "fork", proc: p.name, child });
    } else if (kind === 7 && procs.length > 1) {
      procs.splice(procs.indexOf(p), 1);
      steps.push({ op: "exit", proc: p.name });
    } else if (kind === 8)
      steps.push({
        op: "sysfs",
        file: pick(SYSFS),
        value: pick(["1", "0", "2", "100\n", "+5", "-1", "1e3", "99999999999999999999", ""]),
      });
    else if (kind === 9) steps.push({ op: "wait_scans", n: pick([1, 2, 5]) });
    else if (kind === 10)
      steps.push({
        op: "prctl",
        proc: p.name,
        option: "PR_SET_MEMORY_MERGE",
        value: pick([0, 1, 2, 2 ** 53 - 1]),
      });
    else steps.push({ op: "snapshot", label: pick(["x", ...STRINGS]) });
  }
  return {
    name: pick(["plausible", ...STRINGS]),
    ...(int(3) === 0 ? { memory_frames: pick([16, 64, 1024]) } : {}),
    steps,
  };
}

/** One of the real scenarios with a few hostile edits. */
function mutated() {
  const s = structuredClone(pick(SEEDS));
  for (let n = 1 + int(3); n > 0; n--) {
    const steps = s.steps;
    if (!Array.isArray(steps) || steps.length === 0) break; // an earlier edit replaced them
    const i = int(steps.length);
    const k = int(7);
    if (k === 0) steps[i][pick(FIELDS)] = hostile();
    else if (k === 1) delete steps[i][pick(FIELDS)];
    else if (k === 2) steps[i].op = pick([...OPS, ...PROTO]);
    else if (k === 3) steps.splice(int(steps.length), 0, structuredClone(steps[i]));
    else if (k === 4) steps.splice(i, 1);
    else if (k === 5) s[pick(["name", "memory_frames", "description", "steps", "extra"])] = hostile();
    else if (steps[i].op === "snapshot" || steps[i].op === "spawn")
      steps[i][steps[i].op === "spawn" ? "proc" : "label"] = pick(STRINGS);
  }
  return s;
}

/** The sizes the issue found harmful, and others at and past the limits. */
function huge() {
  const A = { op: "spawn", proc: "A" };
  const mmap = (r, pages) => ({ op: "mmap", proc: "A", region: r, pages });
  const k = int(10);
  if (k === 8) {
    const advise = Array.from({ length: 100 + int(900) }, (_, i) => ({
      op: "madvise",
      proc: "A",
      region: "r",
      from: 2 ** 23 + 2 * i,
      pages: 1,
      advice: "mergeable",
    }));
    return { name: "splits", steps: [A, mmap("r", 2 ** 24), ...advise, { op: "snapshot", label: "x" }] };
  }
  if (k === 9) {
    const n = 1000 + int(20000);
    const regions = Array.from({ length: n }, (_, i) => mmap(`r${i}`, 1));
    const unmaps = Array.from({ length: n }, (_, i) => ({ op: "munmap", proc: "A", region: `r${i}` }));
    return { name: "regions", steps: [A, ...regions, ...unmaps, { op: "snapshot", label: "x" }] };
  }
  if (k === 0)
    return {
      name: "frames",
      memory_frames: pick([2 ** 18, 2 ** 18 + 1, 2 ** 20, 2 ** 24]),
      steps: [A, { op: "snapshot", label: "x" }],
    };
  if (k === 1)
    return {
      name: "mmaps",
      steps: [
        A,
        ...Array.from({ length: 2 + int(60) }, (_, i) => mmap(`r${i}`, pick([2 ** 24, 2 ** 18, 2 ** 20]))),
      ],
    };
  if (k === 2) {
    const forks = Array.from({ length: 2 + int(120) }, (_, i) => ({ op: "fork", proc: "A", child: `c${i}` }));
    return {
      name: "forks",
      steps: [A, mmap("r", pick([2 ** 24, 2 ** 20, 2 ** 16])), ...forks, { op: "snapshot", label: "x" }],
    };
  }
  if (k === 3) {
    const len = pick([4096, 4097, 1e5, 1e6, 5e6]);
    return {
      name: "sysfs",
      steps: [
        { op: "sysfs", file: pick(SYSFS), value: pick(["1", "0", "9"]).repeat(len) },
        { op: "snapshot", label: "x" },
      ],
    };
  }
  if (k === 4) {
    const pages = pick([2 ** 10, 2 ** 14, 2 ** 16]);
    return {
      name: "scans",
      steps: [
        A,
        mmap("r", pages),
        { op: "fill", proc: "A", region: "r", from: 0, pages, value: 5 },
        { op: "madvise", proc: "A", region: "r", pages, advice: "mergeable" },
        { op: "sysfs", file: "run", value: "1" },
        { op: "wait_scans", n: pick([1, 10, 100, 2 ** 16, 2 ** 24]) },
        { op: "snapshot", label: "x" },
      ],
    };
  }
  if (k === 5)
    return {
      name: "fill",
      memory_frames: pick([16, 1024]),
      steps: [
        A,
        mmap("r", 2 ** 24),
        { op: "fill", proc: "A", region: "r", from: 0, pages: pick([2 ** 12, 2 ** 20, 2 ** 24]), value: 1 },
        { op: "snapshot", label: "x" },
      ],
    };
  if (k === 6)
    return {
      name: "snapshots".repeat(1 + int(20)),
      steps: [A, ...Array.from({ length: 600 + int(4000) }, (_, i) => ({ op: "snapshot", label: `s${i}` }))],
    };
  return {
    name: pick(STRINGS) || "long",
    description: "d".repeat(1e6),
    steps: [{ op: "snapshot", label: "é".repeat(1e5) }],
  };
}

/** The file's bytes: JSON in one of the encodings a browser reads, or broken text. */
function encode(value) {
  const text = JSON.stringify(value) ?? "null";
  const k = int(12);
  if (k === 0) return Buffer.from(`\ufeff${text}`);
  if (k === 1) return Buffer.from(`\ufeff${text}`, "utf16le");
  if (k === 2) return Buffer.from(`\ufeff${text}`, "utf16le").swap16();
  if (k === 3) return Buffer.from(text, "utf16le"); // no BOM: not UTF-8, refused as not JSON
  if (k === 4) return Buffer.from(text).subarray(0, int(text.length)); // cut short
  if (k === 5) return Buffer.concat([Buffer.from(text), Buffer.from([0xff, 0xc3])]);
  if (k === 6) return Buffer.from(JSON.stringify(value, null, 2) ?? "null");
  return Buffer.from(text);
}

function generate() {
  const k = int(10);
  const value = k < 2 ? junk() : k < 5 ? mutated() : k < 8 ? plausible() : huge();
  return encode(value);
}

/* ---------------- running and judging ---------------- */
const files = Array.from({ length: COUNT }, (_, i) => {
  const path = join(dir, `${String(i).padStart(5, "0")}.json`);
  writeFileSync(path, generate());
  return path;
});

/** How many snapshot lines a file must print if it runs: its snapshot steps, read as the CLI reads it. */
function snapshotSteps(path) {
  const bytes = readFileSync(path);
  const enc =
    bytes[0] === 0xff && bytes[1] === 0xfe
      ? "utf-16le"
      : bytes[0] === 0xfe && bytes[1] === 0xff
        ? "utf-16be"
        : "utf-8";
  try {
    const s = JSON.parse(new TextDecoder(enc).decode(bytes));
    return s.steps.filter((x) => x.op === "snapshot").length;
  } catch {
    return null;
  }
}

const REFUSAL = /^[^\n]*\.json: ((scenario|step \d+)(, field "([^"\\\n]|\\.)*")?: .|not valid JSON: )/s;
const JS_ERROR =
  /\n\s+at |(Range|Type|Reference|Syntax|Internal)Error|Maximum call stack|scenario runner failed|the simulator failed/;

function runOne(path, profile) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn("node", [cli, "--profile", profile, path], {
      stdio: ["ignore", "pipe", "pipe"],
      timeout: TIMEOUT_MS,
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d.length < 4096 ? d : String(d).slice(0, 4096);
    });
    child.on("close", (status, signal) =>
      resolve({ path, profile, status, signal, out, err, ms: performance.now() - t0 }),
    );
  });
}

function judge(r) {
  if (r.signal) return ["failed", `killed by ${r.signal} after ${Math.round(r.ms)} ms`];
  if (JS_ERROR.test(r.err)) return ["failed", `JavaScript error: ${r.err.slice(0, 200)}`];
  if (r.status === 2)
    return r.out === "" && REFUSAL.test(r.err)
      ? ["refused", /\.json: not valid JSON: /.test(r.err)]
      : ["failed", `status 2 but: ${r.err.slice(0, 200)}`];
  if (r.status !== 0) return ["failed", `status ${r.status}: ${r.err.slice(0, 200)}`];
  if (r.out !== "" && !r.out.endsWith("\n")) return ["failed", "output cut mid-line"];
  const lines = r.out === "" ? [] : r.out.slice(0, -1).split("\n");
  let errnos = 0;
  let snaps = 0;
  for (const l of lines) {
    let o;
    try {
      o = JSON.parse(l);
    } catch {
      return ["failed", `not a JSON line: ${l.slice(0, 100)}`];
    }
    if (typeof o.errno === "string") errnos++;
    else snaps++;
  }
  const want = snapshotSteps(r.path);
  if (want !== null && snaps !== want)
    return ["failed", `${snaps} snapshot lines for ${want} snapshot steps`];
  return errnos ? ["errno", errnos] : ["normal"];
}

const counts = {
  files: COUNT,
  refused: 0,
  refused_not_json: 0,
  errno: 0,
  normal: 0,
  failed: 0,
  errno_lines: 0,
};
const failures = [];
const times = [];
let next = 0;
const t0 = performance.now();
async function worker() {
  while (next < files.length) {
    const i = next++;
    const r = await runOne(files[i], i % 2 ? "linux-6.18" : "linux-2.6.32");
    const [kind, detail] = judge(r);
    counts[kind]++;
    if (kind === "refused" && detail) counts.refused_not_json++;
    if (kind === "errno") counts.errno_lines += detail;
    if (kind === "failed") failures.push({ file: r.path, profile: r.profile, why: detail });
    times.push([Math.round(r.ms), r.path]);
  }
}
await Promise.all(Array.from({ length: JOBS }, worker));
times.sort((a, b) => b[0] - a[0]);
console.log(
  JSON.stringify({
    ...counts,
    seed: SEED,
    seconds: Math.round((performance.now() - t0) / 1000),
    slowest_ms: times.slice(0, 5),
  }),
);
for (const f of failures.slice(0, 20)) console.log(JSON.stringify(f));
if (!KEEP && !counts.failed) rmSync(dir, { recursive: true, force: true });
else console.log(`files kept in ${dir}`);
process.exitCode = counts.failed ? 1 : 0;
