import { type FormEvent, useEffect, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import { PROFILES, type ProfileName } from "../engine";
import { say, startedAfresh, useStore } from "../store/store";
import { actionById, run } from "./actions";
import { parseInteger, parseName } from "./parse";
import { TEMPLATES } from "./templates";

const PAGE = 4096;
const FRAME_CHOICES = [64, 256, 512, 1024, 4096, 16384, 65536];

/** The choices, with the current size among them even if a scenario picked another. */
function frameChoices(current: number): number[] {
  return FRAME_CHOICES.includes(current) ? FRAME_CHOICES : [...FRAME_CHOICES, current].sort((a, b) => a - b);
}

/** Motion on or off (off: every view changes at once, without animation). */
export function MotionToggle() {
  const motion = useStore((s) => s.motion);
  return (
    <label className="motion-toggle">
      <input type="checkbox" checked={motion} onChange={actionById("motion").perform} /> motion
    </label>
  );
}

/** The simulated clock, in a fixed width so that nothing around it moves while it runs. */
export function SimTime() {
  const simTimeMs = useStore((s) => s.simTimeMs);
  return (
    <span className="sim-time" title="simulated time">
      t = {(simTimeMs / 1000).toFixed(2)} s
    </span>
  );
}

/** Profile and memory size: changing either starts a new machine. */
export function MachineControls() {
  const profile = useStore((s) => s.profile);
  const frames = useStore((s) => s.snapshot?.frames.count ?? 512);
  const [p, setP] = useState<ProfileName>(profile);
  const [f, setF] = useState(frames);
  // Follow the machine when something else replaced it (a scenario, say).
  useEffect(() => setP(profile), [profile]);
  useEffect(() => setF(frames), [frames]);
  return (
    <form
      className="control-row"
      aria-label="Machine"
      onSubmit={(e) => {
        e.preventDefault();
        void run({ type: "reset", profile: p, frames: f }, "reset").then((r) => {
          if (!r.errno) {
            startedAfresh();
            say("info", `New machine: ${p}, ${f} frames`);
          }
        });
      }}
    >
      <label>
        kernel{" "}
        <select value={p} onChange={(e) => setP(e.target.value as ProfileName)}>
          {PROFILES.map((x) => (
            <option key={x}>{x}</option>
          ))}
        </select>
      </label>
      <label>
        memory{" "}
        <select value={f} onChange={(e) => setF(Number(e.target.value))}>
          {frameChoices(f).map((x) => (
            <option key={x} value={x}>
              {x} frames
            </option>
          ))}
        </select>
      </label>
      <button type="submit">New machine</button>
    </form>
  );
}

function useProcessChoice(): [number | null, (pid: number) => void] {
  const processes = useStore((s) => s.snapshot?.processes);
  const selected = useStore((s) => s.selected);
  const [chosen, setChosen] = useState<number | null>(null);
  const pids = processes?.map((p) => p.pid) ?? [];
  const fromSelection = selected?.kind === "page" ? selected.pid : null;
  const pid = chosen !== null && pids.includes(chosen) ? chosen : (fromSelection ?? pids[0] ?? null);
  return [pid, setChosen];
}

function ProcessSelect({ pid, onChange }: { pid: number | null; onChange: (pid: number) => void }) {
  const processes = useStore((s) => s.snapshot?.processes) ?? [];
  return (
    <label>
      process{" "}
      <select
        value={pid ?? ""}
        onChange={(e) => onChange(Number(e.target.value))}
        disabled={processes.length === 0}
      >
        {processes.map((p) => (
          <option key={p.pid} value={p.pid}>
            {p.name} (pid {p.pid})
          </option>
        ))}
      </select>
    </label>
  );
}

/** Start, fork and end processes. */
export function ProcessControls() {
  const [template, setTemplate] = useState(TEMPLATES[0].id);
  const [name, setName] = useState("");
  const [advise, setAdvise] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [pid, setPid] = useProcessChoice();
  const count = useStore((s) => s.snapshot?.processes.length ?? 0);
  const pids = useStore(useShallow((s) => s.snapshot?.processes.map((p) => p.pid) ?? []));

  const spawn = async (e: FormEvent) => {
    e.preventDefault();
    const t = TEMPLATES.find((x) => x.id === template)!;
    const n = parseName(name || `${t.id}${count + 1}`);
    if (!n.ok) return setError(n.error);
    setError(null);
    // Unique pages are made unique by the pid the process will get: the next after the highest.
    const pid = Math.max(0, ...pids) + 1;
    const values = Array.from({ length: t.pages }, (_, i) => t.value(pid, i));
    const r = await run({ type: "start-process", name: n.value, values, mergeable: advise }, "start");
    if (r.value === undefined) return;
    setName("");
  };

  return (
    <section aria-labelledby="proc-h">
      <h2 id="proc-h">Processes</h2>
      <form className="stack" onSubmit={spawn} aria-label="Start a process">
        <label>
          template{" "}
          <select value={template} onChange={(e) => setTemplate(e.target.value)}>
            {TEMPLATES.map((t) => (
              <option key={t.id} value={t.id}>
                {t.label}
              </option>
            ))}
          </select>
        </label>
        <div className="control-row">
          <label>
            name{" "}
            <input
              value={name}
              onChange={(e) => setName(e.target.value)}
              size={10}
              placeholder="auto"
              aria-invalid={!!error}
            />
          </label>
          <label>
            <input type="checkbox" checked={advise} onChange={(e) => setAdvise(e.target.checked)} /> madvise
            MERGEABLE
          </label>
          <button type="submit">Start</button>
        </div>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
      </form>
      <div className="control-row">
        <ProcessSelect pid={pid} onChange={setPid} />
        <button
          type="button"
          disabled={pid === null}
          onClick={() => pid !== null && void run({ type: "fork", pid, name: `child${count + 1}` }, "fork")}
        >
          Fork
        </button>
        <button
          type="button"
          disabled={pid === null}
          onClick={() => pid !== null && void run({ type: "exit", pid }, "exit")}
        >
          Exit
        </button>
      </div>
      <MadviseForm pid={pid} />
      <WriteForm pid={pid} />
    </section>
  );
}

/** The process's first VMA start: page numbers in forms count from there. */
function useBase(pid: number | null): number | null {
  return useStore((s) => {
    const p = s.snapshot?.processes.find((q) => q.pid === pid);
    return p && p.vmas.length > 0 ? p.vmas[0].start : null;
  });
}

function MadviseForm({ pid }: { pid: number | null }) {
  const base = useBase(pid);
  const [from, setFrom] = useState("0");
  const [pages, setPages] = useState("4");
  const [advice, setAdvice] = useState<"mergeable" | "unmergeable">("mergeable");
  const [status, setStatus] = useState<{ error: boolean; text: string } | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (pid === null || base === null)
      return setStatus({ error: true, text: "pick a process with a mapping first" });
    const f = parseInteger(from, "first page", 0, 1 << 20);
    const n = parseInteger(pages, "pages", 0, 1 << 20);
    if (!f.ok) return setStatus({ error: true, text: f.error });
    if (!n.ok) return setStatus({ error: true, text: n.error });
    const r = await useStore
      .getState()
      .send({ type: "madvise", pid, start: base + f.value * PAGE, len: n.value * PAGE, advice });
    setStatus(
      r.errno
        ? { error: true, text: `madvise: ${r.message} (${r.errno})` }
        : { error: false, text: "madvise returned 0" },
    );
  };
  return (
    <form className="stack" onSubmit={submit} aria-label="madvise">
      <div className="control-row">
        <label>
          from page <input value={from} onChange={(e) => setFrom(e.target.value)} size={4} />
        </label>
        <label>
          pages <input value={pages} onChange={(e) => setPages(e.target.value)} size={4} />
        </label>
        <select
          value={advice}
          onChange={(e) => setAdvice(e.target.value as "mergeable" | "unmergeable")}
          aria-label="advice"
        >
          <option value="mergeable">MADV_MERGEABLE</option>
          <option value="unmergeable">MADV_UNMERGEABLE</option>
        </select>
        <button type="submit">madvise</button>
      </div>
      {status && (
        <p className={status.error ? "field-error" : "field-ok"} role={status.error ? "alert" : "status"}>
          {status.text}
        </p>
      )}
    </form>
  );
}

function WriteForm({ pid }: { pid: number | null }) {
  const base = useBase(pid);
  const [page, setPage] = useState("0");
  const [value, setValue] = useState("0x41");
  const [error, setError] = useState<string | null>(null);
  const act = async (kind: "write" | "fill") => {
    if (pid === null || base === null) return setError("pick a process with a mapping first");
    const p = parseInteger(page, "page", 0, 1 << 20);
    if (!p.ok) return setError(p.error);
    const v = parseInteger(
      value,
      kind === "write" ? "byte" : "value",
      0,
      kind === "write" ? 255 : 0xffffffff,
    );
    if (!v.ok) return setError(v.error);
    setError(null);
    const addr = base + p.value * PAGE;
    const r =
      kind === "write"
        ? await useStore.getState().send({ type: "write", pid, addr, byte: v.value })
        : await useStore.getState().send({ type: "fill", pid, addr, pages: 1, value: v.value });
    if (r.errno) setError(`${kind}: ${r.message} (${r.errno})`);
  };
  return (
    <form
      className="stack"
      aria-label="Write to a page"
      onSubmit={(e) => {
        e.preventDefault();
        void act("write");
      }}
    >
      <div className="control-row">
        <label>
          page <input value={page} onChange={(e) => setPage(e.target.value)} size={4} />
        </label>
        <label>
          value <input value={value} onChange={(e) => setValue(e.target.value)} size={10} />
        </label>
        <button type="submit">Write byte</button>
        <button type="button" onClick={() => void act("fill")}>
          Fill page
        </button>
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
