import {
  type Checksummer,
  ContentIds,
  defaultFrames,
  type Errno,
  Kernel,
  type KsmEvent,
  ksmdBatch,
  MADV_MERGEABLE,
  MADV_UNMERGEABLE,
  type OutputLine,
  PROFILES,
  type ProfileName,
  parseScenario,
  type Scenario,
  ScenarioError,
  ScenarioRun,
  type Snapshot,
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

export const DEFAULT_FRAMES = 512;
const MIN_FRAMES = 16;
const MAX_FRAMES = 1 << 18;
/** Real milliseconds of engine work per tick, so the worker keeps answering commands. */
const TICK_BUDGET_MS = 12;
/** Least time between updates while playing. */
const PLAYING_UPDATE_MS = 50;

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

type Post = (msg: WorkerMessage, transfer?: Transferable[]) => void;

/** The transferable buffers of a snapshot: sent, not copied. */
function buffersOf(s: Snapshot): Transferable[] {
  const out: Transferable[] = [s.frames.state.buffer, s.frames.mapcount.buffer, s.frames.contentId.buffer];
  for (const p of s.processes) for (const v of p.vmas) out.push(v.pte.buffer);
  return out as Transferable[];
}

/**
 * Hosts the engine in the worker: applies commands, owns the simulated
 * clock (ksmd wakes every sleep_millisecs of simulated time), and sends the
 * app at most one update per animation frame — the next only after the app
 * acknowledges the last one.
 */
export class EngineHost {
  private k!: Kernel;
  private contentIds = new ContentIds();
  private events: KsmEvent[] = [];
  private eventCount = 0;
  private dirty = true;
  private awaitingAck = false;
  private lastSentMs = Number.NEGATIVE_INFINITY;
  private simTimeMs = 0;
  private nextWakeMs = 0;
  private lastRealMs: number;
  private playing = false;
  private speed: Speed = 1;
  private run: ScenarioRun | null = null;
  private scenario: ScenarioState | null = null;

  constructor(
    private readonly checksummer: Checksummer,
    private readonly post: Post,
    private readonly now: () => number,
  ) {
    this.lastRealMs = now();
    this.reset("linux-2.6.32", DEFAULT_FRAMES);
  }

  get isPlaying(): boolean {
    return this.playing;
  }

  private reset(profile: ProfileName, frames: number): void {
    this.k = new Kernel({ frames, profile, checksummer: this.checksummer });
    this.k.tracer = (e) => {
      this.eventCount++;
      this.events.push(e);
      if (this.events.length > 4 * MAX_EVENTS_PER_UPDATE)
        this.events.splice(0, this.events.length - MAX_EVENTS_PER_UPDATE);
    };
    this.contentIds = new ContentIds();
    this.simTimeMs = 0;
    this.nextWakeMs = 0;
    this.run = null;
    this.scenario = null;
    this.dirty = true;
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
    this.dirty = true;
    this.flush();
  }

  private apply(msg: CommandMessage): Omit<Reply, "type" | "id"> {
    const k = this.k;
    const result = (r: Errno | 0 | string): Omit<Reply, "type" | "id"> => (r ? { errno: r } : {});
    switch (msg.type) {
      case "reset": {
        if (!Number.isInteger(msg.frames) || msg.frames < MIN_FRAMES || msg.frames > MAX_FRAMES)
          return { errno: "EINVAL", message: `memory must be ${MIN_FRAMES} to ${MAX_FRAMES} frames` };
        this.reset(msg.profile, msg.frames);
        return {};
      }
      case "spawn":
        return { value: k.spawn(msg.name).pid };
      case "mmap": {
        const r = k.mmap(msg.pid, msg.pages, msg.name);
        return typeof r === "string" ? { errno: r } : { value: r };
      }
      case "munmap":
        return result(k.munmap(msg.pid, msg.start, msg.len));
      case "fill":
        return result(k.fill(msg.pid, msg.addr, msg.pages, msg.value));
      case "write":
        return result(k.writeByte(msg.pid, msg.addr, msg.byte));
      case "read": {
        const r = k.readByte(msg.pid, msg.addr);
        return typeof r === "string" ? { errno: r } : { value: r };
      }
      case "madvise":
        return result(
          k.madvise(
            msg.pid,
            msg.start,
            msg.len,
            msg.advice === "mergeable" ? MADV_MERGEABLE : MADV_UNMERGEABLE,
          ),
        );
      case "fork": {
        const r = k.fork(msg.pid, msg.name);
        return typeof r === "string" ? { errno: r } : { value: r.pid };
      }
      case "exit":
        return result(k.exit(msg.pid));
      case "sysfs-write": {
        const err = sysfsWrite(k, msg.file, msg.value);
        if (!err && msg.file === "run" && this.k.ksm.ksmdShouldRun()) this.nextWakeMs = this.simTimeMs; // wake_up
        return result(err);
      }
      case "clock":
        this.playing = msg.playing;
        this.speed = msg.speed === "max" || (msg.speed > 0 && msg.speed <= 1000) ? msg.speed : 1;
        this.lastRealMs = this.now();
        return {};
      case "step":
        return this.step(msg.unit);
      case "load-scenario":
        return this.loadScenario(msg.text, msg.profile);
      case "scenario-step":
        return this.scenarioStep(msg.count);
      case "compare-profiles":
        return this.compareProfiles(msg.text);
      case "ack":
        return {};
    }
  }

  private step(unit: StepUnit): Omit<Reply, "type" | "id"> {
    const ksm = this.k.ksm;
    if (!ksm.ksmdShouldRun())
      return {
        errno: "EAGAIN",
        message:
          ksm.knobs.run !== 1
            ? `ksmd is not running (run is ${ksm.knobs.run})`
            : "ksmd is idle: no process has madvised MADV_MERGEABLE",
      };
    if (unit === "page") ksm.ksmDoScan(1);
    else if (unit === "batch") ksmdBatch(this.k);
    else {
      const why = waitScans(this.k, 1);
      if (why) return { errno: "EAGAIN", message: why };
    }
    return {};
  }

  private loadScenario(text: string, profile: ProfileName): Omit<Reply, "type" | "id"> {
    const scenario = this.parse(text);
    // A broken file changes nothing.
    if (typeof scenario === "string") return { errno: "EINVAL", message: scenario };
    this.reset(profile, scenario.memory_frames ?? defaultFrames(scenario));
    const state: ScenarioState = {
      name: scenario.name,
      description: scenario.description ?? "",
      steps: scenario.steps.length,
      next: 0,
      lines: [],
    };
    this.scenario = state;
    this.run = new ScenarioRun(this.k, scenario, (line: OutputLine) => state.lines.push(line));
    return {};
  }

  private compareProfiles(text: string): Omit<Reply, "type" | "id"> {
    const parsed = this.parse(text);
    if (typeof parsed === "string") return { errno: "EINVAL", message: parsed };
    const lines = {} as Record<ProfileName, OutputLine[]>;
    for (const profile of PROFILES) {
      const k = new Kernel({
        frames: parsed.memory_frames ?? defaultFrames(parsed),
        profile,
        checksummer: this.checksummer,
      });
      const out: OutputLine[] = [];
      new ScenarioRun(k, parsed, (line) => out.push(line)).runAll();
      lines[profile] = out;
    }
    return { lines };
  }

  /** A scenario file's text, parsed, or why it is not one. */
  private parse(text: string): Scenario | string {
    try {
      return parseScenario(JSON.parse(text));
    } catch (err) {
      return err instanceof ScenarioError ? err.message : `not valid JSON: ${(err as Error).message}`;
    }
  }

  private scenarioStep(count: number | "all"): Omit<Reply, "type" | "id"> {
    const run = this.run;
    if (!run || !this.scenario) return { errno: "EINVAL", message: "no scenario is loaded" };
    if (run.done) return { errno: "EINVAL", message: "the scenario has run to its end" };
    for (let i = 0; (count === "all" || i < count) && !run.done; i++) run.step();
    this.scenario.next = run.next;
    return {};
  }

  /** Advance the simulated clock by the real time elapsed (times the speed), running ksmd when it wakes. */
  tick(): void {
    const real = this.now();
    const elapsed = real - this.lastRealMs;
    this.lastRealMs = real;
    if (!this.playing) return;
    const ksm = this.k.ksm;
    const deadline = real + TICK_BUDGET_MS;
    try {
      if (this.speed !== "max") this.simTimeMs += elapsed * this.speed;
      while (this.now() < deadline) {
        if (!ksm.ksmdShouldRun()) {
          // ksmd sleeps until woken; time goes on.
          this.nextWakeMs = this.simTimeMs;
          break;
        }
        if (this.speed === "max") this.simTimeMs = Math.max(this.simTimeMs, this.nextWakeMs);
        if (this.simTimeMs < this.nextWakeMs) break;
        ksmdBatch(this.k);
        this.nextWakeMs += ksm.knobs.sleepMillisecs;
        this.dirty = true;
      }
      // Falling behind (a batch takes longer than its share): don't try to catch up.
      if (this.speed !== "max" && this.nextWakeMs < this.simTimeMs - 1000) this.nextWakeMs = this.simTimeMs;
    } catch (err) {
      this.playing = false;
      this.post({
        type: "error",
        message: `ksmd stopped: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
    this.flush();
  }

  /** Send an update if something changed and the app has drawn the last one. */
  flush(): void {
    if (!this.dirty || this.awaitingAck) return;
    // While ksmd plays, 20 pictures a second are plenty and leave the app's main thread free.
    const now = this.now();
    if (this.playing && now - this.lastSentMs < PLAYING_UPDATE_MS) return;
    this.lastSentMs = now;
    const snapshot = takeSnapshot(this.k, this.contentIds);
    const events = this.events.slice(-MAX_EVENTS_PER_UPDATE);
    const msg: WorkerMessage = {
      type: "update",
      snapshot,
      events,
      eventCount: this.eventCount,
      simTimeMs: this.simTimeMs,
      playing: this.playing,
      speed: this.speed,
      scenario: this.scenario ? { ...this.scenario, lines: [...this.scenario.lines] } : null,
    };
    this.events = [];
    this.eventCount = 0;
    this.dirty = false;
    this.awaitingAck = true;
    this.post(msg, buffersOf(snapshot));
  }
}
