import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { beforeAll, describe, expect, it } from "vitest";
import { type Checksummer, loadChecksummer } from "../engine";
import { formatJson, runCli } from "./run";

let checksummer: Checksummer;
let dir: string;
beforeAll(async () => {
  checksummer = await loadChecksummer();
  dir = mkdtempSync(join(tmpdir(), "ksm-cli-"));
});

/** A scenario file in the test's directory; returns its path. */
function file(name: string, content: string | Uint8Array | object): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    typeof content === "string" || content instanceof Uint8Array ? content : JSON.stringify(content),
  );
  return path;
}

/** A stream that keeps what is written to it. */
function sink(): Writable & { text: () => string } {
  const parts: string[] = [];
  const w = new Writable({
    write(chunk, _enc, done) {
      parts.push(String(chunk));
      done();
    },
  });
  return Object.assign(w, { text: () => parts.join("") });
}

/** Run the CLI in-process: status, stdout and stderr. */
async function cli(...argv: string[]) {
  const out = sink();
  const err = sink();
  const status = await runCli(argv, out, err, checksummer);
  return { status, out: out.text(), err: err.text() };
}

const snapshots = (n: number) => ({
  name: "many-snapshots-with-a-name-long-enough-to-pass-64-KiB",
  steps: [
    { op: "spawn", proc: "A" },
    ...Array.from({ length: n }, (_, i) => ({ op: "snapshot", label: `s${i}` })),
  ],
});

describe("the scenario CLI writes everything before it exits (issue 9, item 4)", () => {
  it("3,000 snapshots (~500 KiB) through a pipe read late arrive whole: 3,000 lines", () => {
    // The reader starts after the runner would have exited: whatever the runner
    // did not wait to write is lost (before: 482 or 964 lines, one or two pipe buffers).
    const path = file("pipe.json", snapshots(3000));
    const r = spawnSync(
      "sh",
      ["-c", 'node --import tsx src/cli/scenario.ts "$1" | (sleep 2; cat)', "sh", path],
      {
        encoding: "utf8",
        maxBuffer: 1 << 24,
      },
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines.pop()).toBe(""); // ends with a newline
    expect(lines).toHaveLength(3000);
    expect(lines.map((l) => JSON.parse(l).label)).toEqual(Array.from({ length: 3000 }, (_, i) => `s${i}`));
  }, 30_000);
});

describe("the scenario CLI on files the format allows (issue 9, item 5)", () => {
  it("memory_frames beyond what the simulator holds is refused by name, no stack trace", async () => {
    const r = await cli(file("frames.json", { name: "f", memory_frames: 1 << 20, steps: [] }));
    expect(r).toEqual({
      status: 2,
      out: "",
      err: expect.stringContaining('scenario, field "memory_frames": must be an integer from 16 to 262144'),
    });
  });

  it("ops named after Object.prototype members are unknown ops", async () => {
    for (const op of ["toString", "__proto__", "constructor", "hasOwnProperty", "valueOf"]) {
      const r = await cli(file("proto.json", `{"name": "p", "steps": [{"op": ${JSON.stringify(op)}}]}`));
      expect([op, r.status, r.out]).toEqual([op, 2, ""]);
      expect(r.err).toContain('step 0, field "op": must be one of spawn,');
    }
  });

  it("names and labels holding quotes, colons and commas come out as they went in", async () => {
    const name = 'a":b,"c\\d';
    const label = 'x": y, "z';
    const r = await cli(file("quote.json", { name, steps: [{ op: "snapshot", label }] }));
    expect(r.status).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ scenario: name, label });
    expect(r.out).toBe(
      `{"scenario": ${JSON.stringify(name)}, "label": ${JSON.stringify(label)}, "pages_shared": 0, "pages_sharing": 0, "pages_unshared": 0, "pages_volatile": 0, "full_scans": 0}\n`,
    );
  });

  it("formatJson spaces keys and items as json.dumps does, nested objects too", () => {
    expect(formatJson({ a: 1, b: { 'c,"': [1, "x"] }, d: undefined })).toBe(
      '{"a": 1, "b": {"c,\\"": [1, "x"]}}',
    );
  });

  it("reads UTF-8 with a byte order mark and UTF-16 LE and BE, as a browser does", async () => {
    const text = JSON.stringify({ name: "bom ✓", steps: [{ op: "snapshot", label: "é" }] });
    const le = Buffer.from(`\ufeff${text}`, "utf16le");
    const be = Buffer.from(le).swap16();
    for (const [name, bytes] of [
      ["utf8-bom.json", Buffer.from(`\ufeff${text}`)],
      ["utf16le.json", le],
      ["utf16be.json", be],
    ] as const) {
      const r = await cli(file(name, bytes));
      expect([name, r.status, r.err]).toEqual([name, 0, ""]);
      expect(JSON.parse(r.out)).toMatchObject({ scenario: "bom ✓", label: "é" });
    }
  });

  it("a file that cannot be read is named, and the other files still run", async () => {
    const r = await cli(join(dir, "missing.json"), file("ok.json", snapshots(1)));
    expect(r.status).toBe(2);
    expect(r.err).toBe(`${join(dir, "missing.json")}: cannot read it (ENOENT)\n`);
    expect(r.out.split("\n")).toHaveLength(2);
  });

  it("bad arguments print the usage and status 2", async () => {
    expect(await cli("--profile", "linux-9")).toMatchObject({ status: 2, out: "" });
    expect((await cli("--nope")).err).toContain("usage:");
    expect((await cli()).status).toBe(2);
  });
});
