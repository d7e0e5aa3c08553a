import {
  type Checksummer,
  type OutputLine,
  PROFILES,
  type ProfileName,
  parseScenarioText,
  type Scenario,
  ScenarioRun,
  scenarioKernel,
} from "../engine";
import { scenarioRefusal } from "./failure";
import type { Job, Result, Steps } from "./jobs";

/** A scenario run to its end on every profile, each on a fresh machine apart from the live one. */
export function comparing(text: string, checksummer: Checksummer): Result | Job {
  const parsed = parseScenarioText(text);
  if (typeof parsed === "string") return { errno: "EINVAL", message: scenarioRefusal(parsed, text) };
  const progress = { done: 0, total: parsed.steps.length * PROFILES.length };
  function* steps(): Steps {
    const lines = {} as Record<ProfileName, OutputLine[]>;
    for (const profile of PROFILES) {
      const out: OutputLine[] = [];
      lines[profile] = out;
      const run = new ScenarioRun(
        scenarioKernel(parsed as Scenario, profile, checksummer),
        parsed as Scenario,
        (l) => out.push(l),
      );
      while (!run.done) {
        yield* run.stepSlices(); // a wait_scans on a big machine is long: in slices too
        progress.done++;
        yield;
      }
    }
    return { lines };
  }
  return { what: "comparing the kernels", progress, steps: steps(), cancelled: "comparison cancelled" };
}
