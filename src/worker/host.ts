import {
  type Checksummer,
  ContentIds,
  DEFAULT_LIMITS,
  type Errno,
  Kernel,
  type KsmEvent,
  MAX_FRAMES,
  type OutputLine,
  parseScenarioText,
  type Scenario,
  ScenarioRun,
  type Snapshot,
  STRERROR,
  scenarioKernel,
  takeSnapshot,
} from "../engine";
import { comparing } from "./compare";
import { failure, scenarioRefusal } from "./failure";
import { drain, type Job, JobRunner, type Result, type Steps } from "./jobs";
import {
  type Command,
  type CommandMessage,
  FLAT_OUT_REDRAW_MS,
  MAX_EVENTS_PER_UPDATE,
  type Reply,
  type Speed,
  type WorkerMessage,
} from "./protocol";
import { type Action, describeAction, parseSession, type Session, type SessionBase } from "./session";
import { type Entry, LIMITS, type Limits, Timeline, type Work } from "./timeline";
import { actionSteps, partly, type Stop, type World, wake } from "./world";

export const DEFAULT_FRAMES = 512;
const MIN_FRAMES = 16;
/** Real milliseconds of engine work per tick, so the worker keeps answering commands. */
const TICK_BUDGET_MS = 12;
/** Least time between updates while playing. */
const PLAYING_UPDATE_MS = 100;

export function errnoText(errno: string): string {
  return STRERROR[errno as Errno] ?? errno;
}

/** Commands that only read the engine's state. */
const READ_ONLY = new Set<CommandMessage["type"]>(["export-session", "compare-profiles"]);

type Post = (msg: WorkerMessage, transfer?: Transferable[]) => void;

/** The transferable buffers of a snapshot: sent, not copied. */
function buffersOf(s: Snapshot): Transferable[] {
  const out: Transferable[] = [s.frames.state.buffer, s.frames.mapcount.buffer, s.frames.contentId.buffer];
  const m = s.index.mappers;
  out.push(m.start.buffer, m.pid.buffer, m.addr.buffer, m.writable.buffer);
  for (const p of s.processes) for (const v of p.vmas) out.push(v.pte.buffer);
  return out as Transferable[];
}

/** What a scenario's steps, a travel or an opening says when cancelled. */
const NOTHING_CHANGED = "cancelled: nothing was changed";

/**
 * Hosts the engine in the worker: applies commands, owns the simulated
 * clock (ksmd wakes every sleep_millisecs of simulated time), and sends the
 * app at most one update per animation frame — the next only after the app
 * acknowledges the last one. Long commands run as jobs in slices (see
 * JobRunner); opening anything builds the new machine apart and swaps it in
 * only when it is whole.
 */
export class EngineHost {
  private w!: World;
  private base!: SessionBase;
  private timeline: Timeline<Action, World>;
  /** While replaying to travel in time, events are not reported. */
  private muted = false;
  private travelled = false;
  private contentIds = new ContentIds();
  private events: KsmEvent[] = [];
  private eventCount = 0;
  private dirty = true;
  private awaitingAck = false;
  private lastSentMs = Number.NEGATIVE_INFINITY;
  /** When the trees were last sent, and whether the app's are older than the engine's. */
  private lastTreesMs = Number.NEGATIVE_INFINITY;
  private treesBehind = false;
  private lastRealMs: number;
  private playing = false;
  private speed: Speed = 1;
  private readonly jobs: JobRunner;

  constructor(
    private readonly checksummer: Checksummer,
    private readonly post: Post,
    private readonly now: () => number,
    private readonly limits: Limits = LIMITS,
  ) {
    this.lastRealMs = now();
    this.timeline = this.newTimeline();
    this.jobs = new JobRunner(
      post,
      now,
      TICK_BUDGET_MS,
      (id, r) => this.answer(id, r),
      (m) => this.dispatch(m),
    );
    this.start({ type: "reset", profile: "linux-2.6.32", frames: DEFAULT_FRAMES });
  }

  private newTimeline(): Timeline<Action, World> {
    return new Timeline((w) => w.k.mem, this.now, this.limits);
  }

  get isPlaying(): boolean {
    return this.playing;
  }

  /** A long command is running or commands wait for one: call tick() again soon. */
  get busy(): boolean {
    return this.jobs.busy;
  }

  /**
   * A fresh machine, or a scenario loaded on one, as the start of a new
   * timeline (this.timeline, which the caller has made new). Nothing is
   * changed if the base is refused.
   */
  private start(base: SessionBase): Result {
    let scenario: Scenario | null = null;
    if (base.type === "load-scenario") {
      const parsed = parseScenarioText(base.text);
      if (typeof parsed === "string") return { errno: "EINVAL", message: scenarioRefusal(parsed, base.text) };
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
    this.timeline.start(this.w);
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

  /** Take one message from the app; an exception is reported, never thrown. */
  handle(msg: CommandMessage): void {
    switch (msg.type) {
      case "ack":
        this.awaitingAck = false;
        this.flush();
        return;
      case "ping":
        this.post({ type: "pong" });
        return;
      case "cancel":
        this.answer(msg.id, this.jobs.cancel() ? {} : { errno: "ESRCH", message: "nothing is running" });
        return;
    }
    // Any command ends a flat-out run of updates without trees: the next one has them.
    this.lastTreesMs = Number.NEGATIVE_INFINITY;
    if (this.treesBehind) this.dirty = true;
    if (!this.jobs.hold(msg)) this.dispatch(msg);
  }

  /** Apply a command: at once, or as a job that runs in slices. */
  private dispatch(msg: CommandMessage): void {
    const { id, ...cmd } = msg;
    let r: Result | Job;
    try {
      r = this.apply(cmd);
    } catch (err) {
      r = failure(err, `"${cmd.type}"`);
    }
    if ("steps" in r) this.jobs.start(id, r);
    else this.answer(id, r, !READ_ONLY.has(cmd.type));
  }

  /** Reply; `changed`: the command may have changed the state, so a new picture follows. */
  private answer(id: number, r: Result, changed = true): void {
    const reply: Reply = { type: "reply", id, ...r };
    if (reply.errno && !reply.message) reply.message = errnoText(reply.errno);
    this.post(reply);
    // Questions that change nothing (the session, both kernels' runs) send no picture.
    if (changed) this.dirty = true;
    this.flush();
  }

  private apply(cmd: Command): Result | Job {
    switch (cmd.type) {
      case "reset":
      case "load-scenario":
        return this.opening({ base: cmd, actions: [], position: 0 });
      case "restore-session": {
        const checked = parseSession(cmd.session);
        return typeof checked === "string" ? { errno: "EINVAL", message: checked } : this.opening(checked);
      }
      case "read": {
        const r = this.w.k.readByte(cmd.pid, cmd.addr);
        return typeof r === "string" ? { errno: r } : { value: r };
      }
      case "clock":
        this.playing = cmd.playing;
        this.speed = cmd.speed === "max" || (cmd.speed > 0 && cmd.speed <= 1000) ? cmd.speed : 1;
        this.lastRealMs = this.now();
        return {};
      case "compare-profiles":
        return comparing(cmd.text, this.checksummer);
      case "travel": {
        if (!Number.isSafeInteger(cmd.position))
          return { errno: "EINVAL", message: "a position is a whole number" };
        // Clicks queued behind a travel may aim past an end that moved: they go to that end
        // (the start is where the history not dropped to save memory begins).
        const tl = this.timeline;
        const position = Math.max(tl.first, Math.min(cmd.position, tl.entries.length));
        const progress = { done: 0, total: 0 };
        return {
          what: "time travel",
          progress,
          steps: this.travel(position, progress),
          cancelled: NOTHING_CHANGED,
        };
      }
      case "export-session":
        return {
          session: {
            base: this.base,
            actions: this.timeline.entries.map((e) => e.action),
            position: this.timeline.position,
          },
        };
      case "ack":
      case "ping":
      case "cancel":
        return {};
      default: {
        const progress = { done: 0, total: cmd.type === "scenario-step" ? (this.w.scenario?.steps ?? 0) : 0 };
        const stop = { requested: false }; // a cancel ends it at a whole step: see perform
        return {
          what: cmd.type === "scenario-step" ? "running the scenario" : describeAction(cmd),
          progress,
          steps: this.perform(cmd, progress, true, stop),
          cancelled: "stopped: what was done so far is kept",
          stop,
        };
      }
    }
  }

  /**
   * Apply an action and record it in the timeline (unless it was refused
   * before doing anything). Stopped part-way (`stop`), it ends after a whole
   * wake-up or scenario step — one half done is finished first, in slices,
   * so no entry records half a step — and what was done is recorded as done
   * (so many wake-ups or scenario steps). If the engine throws, the state is
   * rebuilt from the timeline as it was before the action.
   */
  private *perform(action: Action, progress = { done: 0, total: 0 }, recover = true, stop?: Stop): Steps {
    const work = this.workBefore();
    const before = progress.done;
    let r: Result | null = null;
    let failed = false;
    try {
      r = yield* actionSteps(this.w, action, progress, stop);
      return r;
    } catch (err) {
      failed = true;
      if (recover) this.rebuild();
      throw err;
    } finally {
      const done = progress.done - before;
      const stopped = !r || r.errno === "ECANCELED";
      const taken = stopped ? partly(action, done) : action;
      // A refused step, or a sysfs write the kernel rejected before storing (a bad number, a
      // read-only file), or a prctl refused outright (2.6.32 has no PR_SET_MEMORY_MERGE; no such
      // pid), changed nothing: it is not part of the history. run=2, or prctl 0, failing with
      // ENOMEM has unmerged part of memory first, so it stays.
      const rejected =
        (action.type === "sysfs-write" && (r?.errno === "EINVAL" || r?.errno === "EACCES")) ||
        (action.type === "prctl" && (r?.errno === "EINVAL" || r?.errno === "ESRCH"));
      const refused =
        !stopped && (rejected || (r?.errno && (action.type === "step" || action.type === "scenario-step")));
      if (!failed && taken && !refused) this.timeline.record(this.entry(taken, this.workSince(work)), this.w);
    }
  }

  /** Where the engine's work counters stand, to measure an action's Work. */
  private workBefore(): Work {
    return { pages: this.w.k.ksm.pagesScanned, ms: this.now() };
  }

  private workSince(before: Work): Work {
    return { pages: this.w.k.ksm.pagesScanned - before.pages, ms: this.now() - before.ms };
  }

  private entry(action: Action, work: Work): Entry<Action> {
    const { simTimeMs, nextWakeMs, k } = this.w;
    return { action, simTimeMs, nextWakeMs, fullScans: k.ksm.fullScans, work };
  }

  /**
   * Rebuild the state after the first `position` actions: from a checkpoint,
   * replaying the rest, one action a step. Cancelled (or failing), the state
   * is rebuilt where it was (restoring a checkpoint rewrites the frames).
   */
  private *travel(position: number, progress: { done: number; total: number }): Steps {
    const was = this.timeline.position;
    let arrived = false;
    try {
      yield* this.replay(position, progress);
      arrived = true;
    } finally {
      if (!arrived) drain(this.replay(was, { done: 0, total: 0 }));
    }
    this.contentIds = new ContentIds();
    this.playing = false;
    this.travelled = true;
    return { value: position };
  }

  private *replay(position: number, progress: { done: number; total: number }): Steps {
    const tl = this.timeline;
    const from = tl.checkpointFor(position);
    this.w = from.world;
    tl.position = from.position;
    this.events = [];
    this.eventCount = 0;
    progress.total = position - from.position;
    try {
      while (tl.position < position) {
        const entry = tl.next!;
        // Only the last action's events are reported: they are what the state just did.
        this.muted = tl.position < position - 1;
        // Sliced too: an entry from a file may hold a million wake-ups.
        yield* actionSteps(this.w, entry.action, { done: 0 });
        this.w.simTimeMs = entry.simTimeMs;
        this.w.nextWakeMs = entry.nextWakeMs;
        tl.position++;
        tl.replayed();
        progress.done++;
        yield;
      }
    } finally {
      this.muted = false;
    }
    return {};
  }

  /** After the engine threw mid-action: the state as the timeline last recorded it. */
  private rebuild(): void {
    this.muted = true;
    try {
      drain(this.travel(this.timeline.position, { done: 0, total: 0 }));
    } catch (err) {
      failure(err, "rebuilding the state");
    } finally {
      this.muted = false;
    }
  }

  /** Opening a session (or a reset, or a scenario: a session with no actions) as a job. */
  private opening(session: Session): Job {
    const progress = { done: 0, total: session.actions.length };
    const what = session.base.type === "reset" && session.actions.length === 0 ? "a new machine" : "opening";
    return { what, progress, steps: this.open(session, progress), cancelled: NOTHING_CHANGED };
  }

  /**
   * Open a session all or nothing: build its machine and timeline apart (the
   * base, every action replayed and recorded, then travel to its position)
   * and keep them only if all of it worked; otherwise, or cancelled, the old
   * machine, timeline and clock are back as they were.
   */
  private *open(session: Session, progress: { done: number; total: number }): Steps {
    const was = {
      w: this.w,
      base: this.base,
      timeline: this.timeline,
      contentIds: this.contentIds,
      playing: this.playing,
      travelled: this.travelled,
    };
    let whole = false;
    this.timeline = this.newTimeline();
    try {
      const started = this.start(session.base);
      if (started.errno) return started;
      // However long, the history where the session ends is kept, to go there.
      this.timeline.hold = session.position;
      this.muted = true;
      for (const [i, action] of session.actions.entries()) {
        try {
          yield* this.perform(action, { done: 0, total: 0 }, false);
        } catch (err) {
          return failure(err, `action ${i} (${describeAction(action)})`);
        }
        progress.done = i + 1;
      }
      const position = Math.min(session.position, this.timeline.entries.length);
      yield* this.travel(position, { done: 0, total: 0 });
      this.timeline.hold = Number.POSITIVE_INFINITY;
      whole = true;
      return {};
    } finally {
      this.muted = false;
      if (!whole) Object.assign(this, was);
    }
  }

  /** Advance the simulated clock by the real time elapsed (times the speed), running ksmd when it wakes. */
  tick(): void {
    if (this.jobs.busy) {
      this.jobs.slice();
      this.lastRealMs = this.now(); // time spent on a job is not simulated time
      return;
    }
    const real = this.now();
    const elapsed = real - this.lastRealMs;
    this.lastRealMs = real;
    if (!this.playing) return;
    const w = this.w;
    const deadline = real + TICK_BUDGET_MS;
    // The wake-ups of one tick are one timeline entry: flat out, ksmd wakes tens
    // of thousands of times a second, and an entry each would fill memory.
    let times = 0;
    const work = this.workBefore();
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
        wake(this.w);
        times++;
        this.dirty = true;
      }
      // Falling behind (a batch takes longer than its share): don't try to catch up.
      if (this.speed !== "max" && w.nextWakeMs < w.simTimeMs - 1000) w.nextWakeMs = w.simTimeMs;
    } catch (err) {
      // The state is half-changed: back to the last recorded one (this tick's wake-ups are lost).
      this.playing = false;
      this.rebuild();
      this.post({ type: "error", message: `ksmd stopped: ${failure(err, "a wake-up of ksmd").message}` });
      return;
    }
    if (times > 0) {
      const action: Action = times === 1 ? { type: "ksmd-batch" } : { type: "ksmd-batch", times };
      this.timeline.record(this.entry(action, this.workSince(work)), w);
    }
    this.flush();
  }

  /** Send an update if something changed and the app has drawn the last one. */
  flush(): void {
    // A machine being built or rebuilt is shown only once it is whole.
    if (!this.dirty || this.awaitingAck || this.jobs.busy) return;
    // While ksmd plays, 10 pictures a second are plenty and leave the app's main thread free.
    const now = this.now();
    if (this.playing && now - this.lastSentMs < PLAYING_UPDATE_MS) return;
    this.lastSentMs = now;
    const { k, scenario, simTimeMs } = this.w;
    // Flat out, the trees (most of an update's bytes, copied on the app's main thread) come only as
    // often as the views redraw them; any command brings them back at once (see handle()).
    const treesKept = this.playing && this.speed === "max" && now - this.lastTreesMs < FLAT_OUT_REDRAW_MS;
    if (!treesKept) this.lastTreesMs = now;
    this.treesBehind = treesKept;
    const snapshot = takeSnapshot(k, this.contentIds, { ...DEFAULT_LIMITS, trees: !treesKept });
    const tl = this.timeline;
    const events = this.events.slice(-MAX_EVENTS_PER_UPDATE);
    const msg: WorkerMessage = {
      type: "update",
      snapshot,
      treesKept,
      events,
      eventCount: this.eventCount,
      simTimeMs,
      playing: this.playing,
      speed: this.speed,
      scenario: scenario ? { ...scenario, lines: [...scenario.lines] } : null,
      timeline: {
        position: tl.position,
        first: tl.first,
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
