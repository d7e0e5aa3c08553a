/*
 * For the processes view's tests: a 6.18 machine built through the engine's
 * public surface, and the panel rendered to markup with do-nothing callbacks.
 */
import { renderToStaticMarkup } from "react-dom/server";
import {
  ContentIds,
  type Kernel,
  MADV_MERGEABLE,
  type Snapshot,
  sysfsWrite,
  takeSnapshot,
  waitScans,
} from "../../engine";
import { loadEngineForTests, testKernel } from "../frames/fixtures";
import { ProcessesPanel, type ProcessesPanelProps } from "./ProcessesView";

/** A 6.18 machine of 64 frames with these sysfs writes done (each must succeed). */
export async function kernel618(writes: [file: string, value: string][] = []): Promise<Kernel> {
  await loadEngineForTests();
  const k = testKernel("linux-6.18");
  for (const [file, value] of writes)
    if (sysfsWrite(k, file, value)) throw new Error(`echo ${value} > ${file}`);
  return k;
}

/** A process with one region "r" of these page values (null: left untouched). */
export function mapProcess(
  k: Kernel,
  name: string,
  values: (number | null)[],
): { pid: number; start: number } {
  const pid = k.spawn(name).pid;
  const start = k.mmap(pid, values.length, "r");
  if (typeof start === "string") throw new Error(start);
  for (const [i, v] of values.entries())
    if (v !== null && k.fill(pid, start + i * 4096, 1, v)) throw new Error("fill");
  return { pid, start };
}

export const snap = (k: Kernel): Snapshot => takeSnapshot(k, new ContentIds());

/** 6.18, use_zero_pages as given: A writes zeros to two pages and reads a third (a read fault maps the zero page). */
export async function zeroMachine(useZeroPages: "0" | "1"): Promise<{ s: Snapshot; start: number }> {
  const k = await kernel618([
    ["use_zero_pages", useZeroPages],
    ["run", "1"],
  ]);
  const { pid, start } = mapProcess(k, "A", [0, 0, null]);
  if (k.readByte(pid, start + 2 * 4096) !== 0) throw new Error("read");
  if (k.madvise(pid, start, 3 * 4096, MADV_MERGEABLE) || waitScans(k, 2)) throw new Error("scan");
  return { s: snap(k), start };
}

const noop = () => {};

/** The processes panel as static markup, with callbacks that do nothing unless given. */
export function renderPanel(snapshot: Snapshot | null, over: Partial<ProcessesPanelProps> = {}): string {
  return renderToStaticMarkup(
    <ProcessesPanel
      snapshot={snapshot}
      hover={null}
      selected={null}
      recent={[]}
      motion={false}
      onHover={noop}
      onUnhover={noop}
      onToggleSelect={noop}
      {...over}
    />,
  );
}
