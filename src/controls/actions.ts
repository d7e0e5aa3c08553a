import { useStore } from "../store/store";
import type { StepUnit } from "../worker/protocol";
import { run } from "./command";
import { stepBack, stepForward, togglePlay } from "./player";
import { scanMark, travel } from "./travel";

/**
 * Every frequent command is one Action: its label, its keyboard shortcut and
 * what it sends. Buttons and the keyboard handler both use these.
 */
export interface Action {
  id: string;
  label: string;
  /** KeyboardEvent.key values that trigger it. */
  keys: string[];
  /** The key as shown to people. */
  keyLabel: string;
  perform: () => void;
}

export { run } from "./command";
export { scanMark, travel, travelBy } from "./travel";

const step = (unit: StepUnit, what: string) => () => void run({ type: "step", unit }, what);

const setRun = (v: string) => () =>
  void run({ type: "sysfs-write", file: "run", value: v }, `echo ${v} > /sys/kernel/mm/ksm/run`);

export const ACTIONS: Action[] = [
  {
    id: "play",
    label: "Play / pause",
    keys: [" "],
    keyLabel: "Space",
    perform: togglePlay,
  },
  {
    id: "back",
    label: "Step back (a comparison, or in time)",
    keys: ["ArrowLeft", ","],
    keyLabel: "←",
    perform: () => void stepBack(),
  },
  {
    id: "forward",
    label: "Step forward (the lesson, the scenario or ksmd)",
    keys: ["ArrowRight", "."],
    keyLabel: "→",
    perform: () => void stepForward(),
  },
  {
    id: "back-scan",
    label: "Back to the previous full scan",
    keys: ["PageUp", "["],
    keyLabel: "[",
    perform: () => travel(scanMark(-1)),
  },
  {
    id: "forward-scan",
    label: "Forward to the next full scan",
    keys: ["PageDown", "]"],
    keyLabel: "]",
    perform: () => travel(scanMark(1)),
  },
  { id: "step-page", label: "Step one page", keys: ["s"], keyLabel: "S", perform: step("page", "step") },
  { id: "step-batch", label: "Step one batch", keys: ["b"], keyLabel: "B", perform: step("batch", "step") },
  { id: "step-scan", label: "Step one full scan", keys: ["f"], keyLabel: "F", perform: step("scan", "step") },
  { id: "run-0", label: "run = 0 (stop)", keys: ["0"], keyLabel: "0", perform: setRun("0") },
  { id: "run-1", label: "run = 1 (merge)", keys: ["1"], keyLabel: "1", perform: setRun("1") },
  { id: "run-2", label: "run = 2 (unmerge all)", keys: ["2"], keyLabel: "2", perform: setRun("2") },
  {
    id: "motion",
    label: "Motion on / off",
    keys: ["m"],
    keyLabel: "M",
    perform: () => useStore.setState({ motion: !useStore.getState().motion }),
  },
  {
    id: "presenter",
    label: "Presenter mode (large type, high contrast, fullscreen)",
    keys: ["p"],
    keyLabel: "P",
    perform: () => setPresenter(!useStore.getState().presenter),
  },
  {
    id: "shortcuts",
    label: "Show the keyboard shortcuts",
    keys: ["?"],
    keyLabel: "?",
    perform: () => useStore.setState({ showShortcuts: true }),
  },
  {
    id: "clear-selection",
    label: "Clear selection",
    keys: ["Escape"],
    keyLabel: "Esc",
    perform: () => useStore.setState({ selected: null }),
  },
];

/** 6.18: prctl(PR_SET_MEMORY_MERGE, on) for a process, through the worker (recorded in the timeline). */
export function setMergeAny(pid: number, on: boolean): void {
  const value = on ? 1 : 0;
  void run(
    { type: "prctl", pid, option: "PR_SET_MEMORY_MERGE", value },
    `prctl(PR_SET_MEMORY_MERGE, ${value}) in pid ${pid}`,
  );
}

/** Presenter mode: large type and high contrast, fullscreen where the browser allows it. */
export function setPresenter(on: boolean): void {
  useStore.setState({ presenter: on });
  const doc = document as Document & { fullscreenElement?: Element | null };
  if (on && !doc.fullscreenElement) document.documentElement.requestFullscreen?.().catch(() => {});
  if (!on && doc.fullscreenElement) void document.exitFullscreen?.().catch(() => {});
}

export function actionById(id: string): Action {
  const a = ACTIONS.find((x) => x.id === id);
  if (!a) throw new Error(`no action ${id}`);
  return a;
}

/** The keyboard shortcuts, except while typing in a form field. */
export function onKeyDown(e: KeyboardEvent): void {
  const t = e.target as HTMLElement | null;
  if (
    t &&
    (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA" || t.isContentEditable)
  )
    return;
  // Keys inside a dialog are the dialog's (Esc closes it).
  if (t?.closest("dialog")) return;
  // A focused widget (a grid moving its cursor) already used the key.
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
  // Space and Enter on a focused button keep their usual meaning.
  if (t?.tagName === "BUTTON" && (e.key === " " || e.key === "Enter")) return;
  const action = ACTIONS.find((a) => a.keys.includes(e.key));
  if (!action) return;
  e.preventDefault();
  action.perform();
}
