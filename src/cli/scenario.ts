/**
 * The headless scenario runner:
 *   npm run -s scenario -- [--profile linux-2.6.32|linux-6.18] FILE...
 * prints one JSON line per snapshot (and per step the kernel fails), in the
 * format of docs/scenario-format.md. A file that is not valid JSON or breaks
 * the format prints nothing, is named on stderr with the step and field,
 * and makes the runner exit with status 2 once the other files have run.
 *
 * The status is set, not forced with process.exit(): Node exits once stdout
 * has taken everything, so a pipe loses no line.
 */
import { loadChecksummer } from "../engine";
import { runCli } from "./run";

// A reader that went away (`| head`) ends the run quietly, as for any Unix filter.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code !== "EPIPE") throw e;
  process.exit(process.exitCode ?? 0);
});

loadChecksummer()
  .then((checksummer) => runCli(process.argv.slice(2), process.stdout, process.stderr, checksummer))
  .then(
    (status) => {
      process.exitCode = status;
    },
    (err) => {
      process.stderr.write(`scenario runner failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
