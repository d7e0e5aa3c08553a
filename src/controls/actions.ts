import { say, useStore } from "../store/store";
import type { Command, StepUnit } from "../worker/protocol";

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

/** Send a command; show the kernel's errno (or any failure) as a message. Resolves to the reply. */
export async function run(cmd: Command, what: string) {
  const reply = await useStore.getState().send(cmd);
  if (reply.errno) say("error", `${what}: ${reply.message ?? reply.errno} (${reply.errno})`);
  return reply;
}

const step = (unit: StepUnit, what: string) => () => void run({ type: "step", unit }, what);
const setRun = (v: string) => () =>
  void run({ type: "sysfs-write", file: "run", value: v }, `echo ${v} > /sys/kernel/mm/ksm/run`);

export const ACTIONS: Action[] = [
  {
    id: "play",
    label: "Play / pause",
    keys: [" "],
    keyLabel: "Space",
    perform: () => {
      const { playing, speed } = useStore.getState();
      void run({ type: "clock", playing: !playing, speed }, "clock");
    },
  },
  {
    id: "step-page",
    label: "Step one page",
    keys: ["ArrowRight", "."],
    keyLabel: "→",
    perform: step("page", "step"),
  },
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
    id: "clear-selection",
    label: "Clear selection",
    keys: ["Escape"],
    keyLabel: "Esc",
    perform: () => useStore.setState({ selected: null }),
  },
];

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
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  // Space and Enter on a focused button keep their usual meaning.
  if (t?.tagName === "BUTTON" && (e.key === " " || e.key === "Enter")) return;
  const action = ACTIONS.find((a) => a.keys.includes(e.key));
  if (!action) return;
  e.preventDefault();
  action.perform();
}
