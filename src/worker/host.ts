import {
  type Checksummer,
  ContentIds,
  type Errno,
  Kernel,
  type KsmEvent,
  ksmdBatch,
  MADV_MERGEABLE,
  MADV_UNMERGEABLE,
  type OutputLine,
  PAGE_SIZE,
  parseScenarioText,
  runOnEveryProfile,
  type Scenario,
  ScenarioRun,
  type Snapshot,
  scenarioKernel,
  sysfsWrite,
  takeSnapshot,
  waitScans,
} from "../engine";
import {
  type CommandMessage,
  MAX_EVENTS_PER_UPDATE,
  type Reply,
  type ScenarioState,
  type Speed,
  type StepUnit,
  type WorkerMessage,
} from "./protocol";
import { type Action, describeAction, parseSession, type Session, type SessionBase } from "./session";
import { type Entry, Timeline } from "./timeline";

export const DEFAULT_FRAMES = 512;
const MIN_FRAMES = 16;
const MAX_FRAMES = 1 << 18;
/** Real milliseconds of engine work per tick, so the worker keeps answering commands. */
const TICK_BUDGET_MS = 12;
/** Least time between updates while playing. */
const PLAYING_UPDATE_MS = 100;

const ERRNO_TEXT: Record<string, string> = {
  EINVAL: "Invalid argument",
  ENOMEM: "Cannot allocate memory",
  EACCES: "Permission denied",
  ENOENT: "No such file or directory",
  ESRCH: "No such process",
  EFAULT: "Bad address",
  EAGAIN: "Resource temporarily unavailable",
};

export function errnoText(errno: string): string {
  return ERRNO_TEXT[errno] ?? errno;
}

/** Commands that only read the engine's state. */
const READ_ONLY = new Set<CommandMessage["type"]>(["export-session", "compare-profiles"]);

type Post = (msg: WorkerMessage, transfer?: Transferable[]) => void;

/** The transferable buffers of a snapshot: sent, not copied. */
function buffersOf(s: Snapshot): Transferable[] {
  const out: Transferable[] = [s.frames.state.buffer, s.frames.mapcount.buffer, s.frames.contentId.buffer];
  for (const p of s.processes) for (const v of p.vmas) out.push(v.pte.buffer);
  return out as Transferable[];
}

/** Everything time travel saves and restores: the machine, the scenario running on it, and the clock. */
interface World {
  k: Kernel;
  run: ScenarioRun | null;
  scenario: ScenarioState | null;
  simTimeMs: number;
  nextWakeMs: number;
}

type Result = Omit<Reply, "type" | "id">;

/**
 * Hosts the engine in the worker: applies commands, owns the simulated
 * clock (ksmd wakes every sleep_millisecs of simulated time), and sends the
 * app at most one update per animation frame — the next only after the app
 * acknowledges the last one.
 */
export class EngineHost {
  private w!: World;
  private base!: SessionBase;
  private readonly timeline: Timeline<Action, World>;
  /** While replaying to travel in time, events are not reported. */
  private muted = false;
  private travelled = false;
  private contentIds = new ContentIds();
  private events: KsmEvent[] = [];
  private eventCount = 0;
  private dirty = true;
  private awaitingAck = false;
  private lastSentMs = Number.NEGATIVE_INFINITY;
  private lastRealMs: number;
  private playing = false;
  private speed: Speed = 1;

  constructor(
    private readonly checksummer: Checksummer,
    private readonly post: Post,
    private readonly now: () => number,
  ) {
    this.lastRealMs = now();
    this.timeline = new Timeline(now);
    this.start({ type: "reset", profile: "linux-2.6.32", frames: DEFAULT_FRAMES });
  }

  get isPlaying(): boolean {
    return this.playing;
  }

  /** A fresh machine, or a scenario loaded on one, as the start of a new timeline. */
  private start(base: SessionBase): Result {
    let scenario: Scenario | null = null;
    if (base.type === "load-scenario") {
      const parsed = parseScenarioText(base.text);
      // A broken file changes nothing.
      if (typeof parsed === "string") return { errno: "EINVAL", message: parsed };
      scenario = parsed;
    } else if (!Number.isInteger(base.frames) || base.frames < MIN_FRAMES || base.frames > MAX_FRAMES)
      return { errno: "EINVAL", message: `memory must be ${MIN_FRAMES} to ${MAX_FRAMES} frames` };
    const k = scenario
      ? scenarioKernel(scenario, base.profile, this.checksummer)
      : new Kernel({
          frames: (base as { frames: number }).frames,
          profile: base.profile,
          checksummer: this.checksummer,
        });
    k.tracer = (e) => this.trace(e);
    this.w = { k, run: null, scenario: null, simTimeMs: 0, nextWakeMs: 0 };
    if (scenario) {
      this.w.scenario = {
        name: scenario.name,
        description: scenario.description ?? "",
        steps: scenario.steps.length,
        next: 0,
        lines: [],
      };
      // Lines go to whichever world is current, so a restored checkpoint's run writes to its own state.
      this.w.run = new ScenarioRun(k, scenario, (line: OutputLine) => this.w.scenario?.lines.push(line));
    }
    this.base = base;
    this.contentIds = new ContentIds();
    this.timeline.start(this.w, k.mem.nrFrames * PAGE_SIZE);
    this.travelled = true;
    this.dirty = true;
    return {};
  }

  private trace(e: KsmEvent): void {
    if (this.muted) return;
    this.eventCount++;
    this.events.push(e);
    if (this.events.length > 4 * MAX_EVENTS_PER_UPDATE)
      this.events.splice(0, this.events.length - MAX_EVENTS_PER_UPDATE);
  }

  /** Apply one command and answer it; an exception is reported, never thrown. */
  handle(msg: CommandMessage): void {
    if (msg.type === "ack") {
      this.awaitingAck = false;
      this.flush();
      return;
    }
    let reply: Reply;
    try {
      reply = { type: "reply", id: msg.id, ...this.apply(msg) };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.post({ type: "error", message });
      reply = { type: "reply", id: msg.id, errno: "EIO", message };
    }
    if (reply.errno && !reply.message) reply.message = errnoText(reply.errno);
    this.post(reply);
    // Questions that change nothing (the session, both kernels' runs) send no picture.
    if (!READ_ONLY.has(msg.type)) this.dirty = true;
    this.flush();
  }

  private apply(msg: CommandMessage): Result {
    const { id: _, ...cmd } = msg;
    switch (cmd.type) {
      case "reset":
      case "load-scenario":
        return this.start(cmd);
      case "read": {
        const r = this.w.k.readByte(cmd.pid, cmd.addr);
        return typeof r === "string" ? { errno: r } : { value: r };
      }
      case "clock":
        this.playing = cmd.playing;
        this.speed = cmd.speed === "max" || (cmd.speed > 0 && cmd.speed <= 1000) ? cmd.speed : 1;
        this.lastRealMs = this.now();
        return {};
      case "compare-profiles": {
        const parsed = parseScenarioText(cmd.text);
        if (typeof parsed === "string") return { errno: "EINVAL", message: parsed };
        return { lines: runOnEveryProfile(parsed, this.checksummer) };
      }
      case "travel":
        return this.travel(cmd.position);
      case "export-session":
        return {
          session: {
            base: this.base,
            actions: this.timeline.entries.map((e) => e.action),
            position: this.timeline.position,
          },
        };
      case "restore-session":
        return this.restoreSession(cmd.session);
      case "ack":
        return {};
      default:
        return this.perform(cmd);
    }
  }

  /** Apply an action and record it in the timeline (unless it was refused before doing anything). */
  private perform(action: Action): Result {
    const scannedBefore = this.w.k.ksm.pagesScanned;
    const r = this.act(action);
    // A refused step, or a sysfs write the kernel rejected before storing (a bad number, a
    // read-only file), changed nothing: it is not part of the history. run=2 failing with
    // ENOMEM has unmerged part of memory first, so it stays.
    const rejected = action.type === "sysfs-write" && (r.errno === "EINVAL" || r.errno === "EACCES");
    const refused = rejected || (r.errno && (action.type === "step" || action.type === "scenario-step"));
    if (!refused) this.timeline.record(this.entry(action), this.w.k.ksm.pagesScanned - scannedBefore, this.w);
    return r;
  }

  private entry(action: Action): Entry<Action> {
    const { simTimeMs, nextWakeMs, k } = this.w;
    return { action, simTimeMs, nextWakeMs, fullScans: k.ksm.fullScans };
  }

  /** What an action does to the engine: the same when first done and when replayed. */
  private act(a: Action): Result {
    const k = this.w.k;
    const result = (r: Errno | 0 | string): Result => (r ? { errno: r } : {});
    switch (a.type) {
      case "spawn":
        return { value: k.spawn(a.name).pid };
      case "mmap": {
        const r = k.mmap(a.pid, a.pages, a.name);
        return typeof r === "string" ? { errno: r } : { value: r };
      }
      case "munmap":
        return result(k.munmap(a.pid, a.start, a.len));
      case "fill":
        return result(k.fill(a.pid, a.addr, a.pages, a.value));
      case "write":
        return result(k.writeByte(a.pid, a.addr, a.byte));
      case "madvise":
        return result(
          k.madvise(a.pid, a.start, a.len, a.advice === "mergeable" ? MADV_MERGEABLE : MADV_UNMERGEABLE),
        );
      case "fork": {
        const r = k.fork(a.pid, a.name);
        return typeof r === "string" ? { errno: r } : { value: r.pid };
      }
      case "exit":
        return result(k.exit(a.pid));
      case "start-process":
        return this.startProcess(a);
      case "sysfs-write": {
        const err = sysfsWrite(k, a.file, a.value);
        if (!err && a.file === "run" && k.ksm.ksmdShouldRun()) this.w.nextWakeMs = this.w.simTimeMs; // wake_up
        return result(err);
      }
      case "step":
        return this.step(a.unit);
      case "scenario-step":
        return this.scenarioStep(a.count);
      case "ksmd-batch":
        for (let i = 0; i < (a.times ?? 1); i++) {
          // ksmd wakes when it is due: a no-op while playing, where the clock
          // decided it; a restored session rebuilds its clock this way.
          this.w.simTimeMs = Math.max(this.w.simTimeMs, this.w.nextWakeMs);
          ksmdBatch(k);
          this.w.nextWakeMs += k.ksm.knobs.sleepMillisecs;
        }
        return {};
    }
  }

  /** A process from a template, all of it inside one action (see the command in protocol.ts). */
  private startProcess(a: Extract<Action, { type: "start-process" }>): Result {
    const k = this.w.k;
    const pid = k.spawn(a.name).pid;
    const start = k.mmap(pid, a.values.length, "heap");
    if (typeof start === "string") return { errno: start, value: pid };
    for (const [i, v] of a.values.entries()) {
      const err = v === null ? 0 : k.fill(pid, start + i * PAGE_SIZE, 1, v >>> 0);
      if (err) return { errno: err, value: pid };
    }
    const len = a.values.length * PAGE_SIZE;
    const err = a.mergeable ? k.madvise(pid, start, len, MADV_MERGEABLE) : 0;
    return err ? { errno: err, value: pid } : { value: pid };
  }

  /** Rebuild the state after the first `position` actions: from a checkpoint, replaying the rest. */
  private travel(position: number): Result {
    const tl = this.timeline;
    if (!Number.isInteger(position) || position < 0 || position > tl.entries.length)
      return { errno: "EINVAL", message: `the timeline has positions 0 to ${tl.entries.length}` };
    const from = tl.checkpointFor(position);
    this.w = from.world;
    tl.position = from.position;
    this.events = [];
    this.eventCount = 0;
    while (tl.position < position) {
      const entry = tl.next!;
      // Only the last action's events are reported: they are what the state just did.
      this.muted = tl.position < position - 1;
      const scannedBefore = this.w.k.ksm.pagesScanned;
      this.act(entry.action);
      this.w.simTimeMs = entry.simTimeMs;
      this.w.nextWakeMs = entry.nextWakeMs;
      tl.position++;
      tl.advanced(this.w.k.ksm.pagesScanned - scannedBefore, this.w);
    }
    this.muted = false;
    this.contentIds = new ContentIds();
    this.playing = false;
    this.travelled = true;
    return {};
  }

  /** Rebuild a session: start from its base, replay every action (recording each), then travel to its position. */
  private restoreSession(session: Session): Result {
    const checked = parseSession(session);
    if (typeof checked === "string") return { errno: "EINVAL", message: checked };
    const started = this.start(checked.base); // changes nothing if the base is bad
    if (started.errno) return started;
    this.muted = true;
    try {
      for (const action of checked.actions) this.perform(action);
    } finally {
      this.muted = false;
    }
    return this.travel(Math.min(checked.position, this.timeline.entries.length));
  }

  private step(unit: StepUnit): Omit<Reply, "type" | "id"> {
    const ksm = this.w.k.ksm;
    if (!ksm.ksmdShouldRun())
      return {
        errno: "EAGAIN",
        message:
          ksm.knobs.run !== 1
            ? `ksmd is not running (run is ${ksm.knobs.run})`
            : "ksmd is idle: no process has madvised MADV_MERGEABLE",
      };
    if (unit === "page") ksm.ksmDoScan(1);
    else if (unit === "batch") ksmdBatch(this.w.k);
    else {
      const why = waitScans(this.w.k, 1);
      if (why) return { errno: "EAGAIN", message: why };
    }
    return {};
  }

  private scenarioStep(count: number | "all"): Omit<Reply, "type" | "id"> {
    const { run, scenario } = this.w;
    if (!run || !scenario) return { errno: "EINVAL", message: "no scenario is loaded" };
    if (run.done) return { errno: "EINVAL", message: "the scenario has run to its end" };
    for (let i = 0; (count === "all" || i < count) && !run.done; i++) run.step();
    scenario.next = run.next;
    return {};
  }

  /** Advance the simulated clock by the real time elapsed (times the speed), running ksmd when it wakes. */
  tick(): void {
    const real = this.now();
    const elapsed = real - this.lastRealMs;
    this.lastRealMs = real;
    if (!this.playing) return;
    const w = this.w;
    const deadline = real + TICK_BUDGET_MS;
    // The wake-ups of one tick are one timeline entry: flat out, ksmd wakes tens
    // of thousands of times a second, and an entry each would fill memory.
    let times = 0;
    const scannedBefore = w.k.ksm.pagesScanned;
    try {
      if (this.speed !== "max") w.simTimeMs += elapsed * this.speed;
      while (this.now() < deadline) {
        if (!this.w.k.ksm.ksmdShouldRun()) {
          // ksmd sleeps until woken; time goes on.
          w.nextWakeMs = w.simTimeMs;
          break;
        }
        if (this.speed === "max") w.simTimeMs = Math.max(w.simTimeMs, w.nextWakeMs);
        if (w.simTimeMs < w.nextWakeMs) break;
        this.act({ type: "ksmd-batch" });
        times++;
        this.dirty = true;
      }
      // Falling behind (a batch takes longer than its share): don't try to catch up.
      if (this.speed !== "max" && w.nextWakeMs < w.simTimeMs - 1000) w.nextWakeMs = w.simTimeMs;
    } catch (err) {
      this.playing = false;
      this.post({
        type: "error",
        message: `ksmd stopped: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
    if (times > 0) {
      const action: Action = times === 1 ? { type: "ksmd-batch" } : { type: "ksmd-batch", times };
      this.timeline.record(this.entry(action), w.k.ksm.pagesScanned - scannedBefore, w);
    }
    this.flush();
  }

  /** Send an update if something changed and the app has drawn the last one. */
  flush(): void {
    if (!this.dirty || this.awaitingAck) return;
    // While ksmd plays, 10 pictures a second are plenty and leave the app's main thread free.
    const now = this.now();
    if (this.playing && now - this.lastSentMs < PLAYING_UPDATE_MS) return;
    this.lastSentMs = now;
    const { k, scenario, simTimeMs } = this.w;
    const snapshot = takeSnapshot(k, this.contentIds);
    const tl = this.timeline;
    const events = this.events.slice(-MAX_EVENTS_PER_UPDATE);
    const msg: WorkerMessage = {
      type: "update",
      snapshot,
      events,
      eventCount: this.eventCount,
      simTimeMs,
      playing: this.playing,
      speed: this.speed,
      scenario: scenario ? { ...scenario, lines: [...scenario.lines] } : null,
      timeline: {
        position: tl.position,
        length: tl.entries.length,
        label: tl.position > 0 ? describeAction(tl.entries[tl.position - 1].action) : null,
        scanMarks: [...tl.scanMarks],
      },
      travelled: this.travelled,
    };
    this.events = [];
    this.eventCount = 0;
    this.dirty = false;
    this.travelled = false;
    this.awaitingAck = true;
    this.post(msg, buffersOf(snapshot));
  }
}
