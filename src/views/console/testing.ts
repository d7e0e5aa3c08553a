import {
  Kernel,
  loadChecksummer,
  type ProfileName,
  sysfsFiles,
  sysfsRead,
  sysfsWritable,
  sysfsWrite,
} from "../../engine";
import { INITIAL_STATE, runLine, type ShellOptions, type ShellState, type ShellSystem } from "./shell";

const checksummer = await loadChecksummer();

/** Names every JavaScript object answers to. */
export const PROTOTYPE_NAMES = [
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "toLocaleString",
  "__defineGetter__",
  "__lookupGetter__",
];

/**
 * A shell on a simulated kernel's sysfs, for tests: it records the writes it
 * makes (the shell's boundary) and counts how often it reads the file list.
 */
export function machine(profile: ProfileName = "linux-2.6.32", failWith?: string) {
  const k = new Kernel({ frames: 64, profile, checksummer });
  const writes: string[] = [];
  let reads = 0;
  const values = () => sysfsFiles(profile).map((file) => `${file}=${sysfsRead(k, file)}`);
  const sys: ShellSystem = {
    files: () => {
      reads++;
      return sysfsFiles(profile).map((file) => ({
        file,
        text: sysfsRead(k, file) as string,
        writable: sysfsWritable(profile, file),
      }));
    },
    write: async (file, value) => {
      writes.push(`${file}=${JSON.stringify(value)}`);
      if (failWith) return { errno: failWith };
      const err = sysfsWrite(k, file, value);
      return err ? { errno: err } : {};
    },
  };
  let state: ShellState = INITIAL_STATE;
  const options: ShellOptions = { now: new Date(2025, 10, 25, 17, 38) };
  /** Run a line; the terminal's text, stderr lines marked with "!". */
  const sh = async (line: string, opts: ShellOptions = {}) => {
    const r = await runLine(line, sys, state, { ...options, ...opts });
    state = r.state;
    return r.lines.map((l) => (l.error ? `!${l.text}` : l.text));
  };
  return {
    k,
    sys,
    sh,
    writes,
    values,
    reads: () => reads,
    state: () => state,
    knob: (f: string) => sysfsRead(k, f),
  };
}
