/**
 * The headless scenario runner:
 *   npm run -s scenario -- [--profile linux-2.6.32|linux-6.18] FILE...
 * prints one JSON line per snapshot (and per step the kernel fails), in the
 * format of docs/scenario-format.md. A file that is not valid JSON or breaks
 * the format prints nothing, is named on stderr with the step and field,
 * and makes the runner exit with status 2 once the other files have run.
 */
import { readFileSync } from "node:fs";
import {
  isProfileName,
  loadChecksummer,
  type OutputLine,
  PROFILES,
  type ProfileName,
  parseScenarioText,
  ScenarioRun,
  scenarioKernel,
} from "../engine";

function usage(msg: string): never {
  process.stderr.write(`${msg}\nusage: npm run -s scenario -- [--profile ${PROFILES.join("|")}] FILE...\n`);
  process.exit(2);
}

async function main(argv: string[]): Promise<number> {
  let profile: ProfileName = "linux-2.6.32";
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--profile" || a.startsWith("--profile=")) {
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[++i];
      if (!v || !isProfileName(v)) usage(`unknown profile: ${v ?? "(none)"}`);
      profile = v;
    } else if (a === "-h" || a === "--help") usage("");
    else if (a.startsWith("-")) usage(`unknown option: ${a}`);
    else files.push(a);
  }
  if (files.length === 0) usage("no scenario files given");

  const checksummer = await loadChecksummer();
  let status = 0;
  for (const file of files) {
    const scenario = parseScenarioText(readFileSync(file, "utf8"));
    if (typeof scenario === "string") {
      process.stderr.write(`${file}: ${scenario}\n`);
      status = 2;
      continue;
    }
    const k = scenarioKernel(scenario, profile, checksummer);
    const lines: string[] = [];
    const run = new ScenarioRun(
      k,
      scenario,
      (line: OutputLine) => lines.push(JSON.stringify(line).replaceAll('":', '": ').replaceAll(',"', ', "')),
      (note) => process.stderr.write(`${note}\n`),
    );
    run.runAll();
    process.stdout.write(lines.map((l) => `${l}\n`).join(""));
  }
  return status;
}

main(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (err) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
