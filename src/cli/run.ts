/**
 * The headless scenario runner's work, apart from the process it runs in (so
 * tests call it directly): reads the files, runs them, writes the output
 * lines to `out` and the notes and refusals to `err`, and says the exit status.
 */
import { readFileSync } from "node:fs";
import type { Writable } from "node:stream";
import {
  type Checksummer,
  decodeScenarioBytes,
  isProfileName,
  type OutputLine,
  PROFILES,
  type ProfileName,
  parseScenarioText,
  ScenarioRun,
  scenarioKernel,
} from "../engine";

export const USAGE = `usage: npm run -s scenario -- [--profile ${PROFILES.join("|")}] FILE...`;

/** Output is written in pieces of about this many characters, each after the last has drained. */
const CHUNK = 1 << 16;

/**
 * JSON with a space after every colon and comma, as Python's json.dumps (the
 * real-kernel runner) prints it: built from the value, so names and labels
 * holding `":` or `,"` come out as they are.
 */
export function formatJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(formatJson).join(", ")}]`;
  if (v !== null && typeof v === "object") {
    const fields = Object.entries(v).filter(([, x]) => x !== undefined);
    return `{${fields.map(([k, x]) => `${JSON.stringify(k)}: ${formatJson(x)}`).join(", ")}}`;
  }
  return JSON.stringify(v);
}

/** Write text, resolving once the stream can take more (so a pipe gets everything, in order). */
function write(out: Writable, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (out.write(text)) resolve();
    else out.once("drain", resolve);
  });
}

/**
 * Run the command line's files; resolves to the exit status: 0, 2 when an
 * argument or a file was refused, 1 when the simulator failed on a file (the
 * other files still run).
 */
export async function runCli(
  argv: string[],
  out: Writable,
  err: Writable,
  checksummer: Checksummer,
): Promise<number> {
  let profile: ProfileName = "linux-2.6.32";
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--profile" || a.startsWith("--profile=")) {
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[++i];
      if (!v || !isProfileName(v)) return usage(err, `unknown profile: ${v ?? "(none)"}`);
      profile = v;
    } else if (a === "-h" || a === "--help") return usage(err, "");
    else if (a.startsWith("-")) return usage(err, `unknown option: ${a}`);
    else files.push(a);
  }
  if (files.length === 0) return usage(err, "no scenario files given");

  let status = 0;
  for (const file of files) {
    let text: string;
    try {
      text = decodeScenarioBytes(readFileSync(file));
    } catch (e) {
      await write(err, `${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? "error"})\n`);
      status = 2;
      continue;
    }
    const scenario = parseScenarioText(text);
    if (typeof scenario === "string") {
      await write(err, `${file}: ${scenario}\n`);
      status = 2;
      continue;
    }
    let buf = "";
    const run = new ScenarioRun(
      scenarioKernel(scenario, profile, checksummer),
      scenario,
      (line: OutputLine) => {
        buf += `${formatJson(line)}\n`;
      },
      (note) => err.write(`${note}\n`),
    );
    try {
      while (!run.done) {
        run.step();
        if (buf.length >= CHUNK) {
          await write(out, buf);
          buf = "";
        }
      }
    } catch (e) {
      // A bug of the simulator, not of the file: said in words, and the other files still run.
      await write(err, `${file}: step ${run.next - 1}: the simulator failed: ${(e as Error).message}\n`);
      status = 1;
    }
    await write(out, buf);
  }
  return status;
}

async function usage(err: Writable, msg: string): Promise<number> {
  await write(err, `${msg ? `${msg}\n` : ""}${USAGE}\n`);
  return 2;
}
