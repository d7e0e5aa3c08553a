import { PAGE_SIZE, type PhysMem } from "../engine";
import { cloneSized, deepClone } from "./clone";
import { FrameHistory } from "./frames";

/** The engine's work for an action: pages ksmd scanned, and the time it took (ms). */
export interface Work {
  pages: number;
  ms: number;
}

/** One recorded action, the clock and scan count just after it, and the work it took. */
export interface Entry<A> {
  action: A;
  simTimeMs: number;
  nextWakeMs: number;
  fullScans: number;
  work: Work;
}

/** When checkpoints are taken, and how much they may keep. */
export interface Limits {
  /**
   * Engine work between checkpoints, whichever comes first: pages scanned
   * (plus one per action), or engine time (ms). A step back replays at most
   * about this much (the time, where scanning is slow: a big machine merging).
   */
  pages: number;
  ms: number;
  /** Engine time per unit of time spent copying it for checkpoints, at least. */
  copyShare: number;
  /** What the checkpoints may take in all (copies of the engine and saved pages) for this many frames' bytes. */
  budget: (frameBytes: number) => number;
}

export const LIMITS: Limits = {
  // Time, mostly: a machine whose pages are all merged scans 6M pages a
  // second here, one merging 250k. (The more work between checkpoints, the
  // longer the history the budget holds, and the longer a step back.)
  pages: 4_000_000,
  ms: 400,
  // Copying a big machine's engine takes a while (a tenth of a second or two
  // for 65,536 frames): copies take at most a fifth of the engine's time.
  copyShare: 4,
  // An eighth of the frames' bytes: the worker's own memory, besides the
  // frames, is half of them again (scripts/soak-timetravel.mjs measures it),
  // and it stays within twice them. But room for a useful history on a small
  // machine.
  budget: (frameBytes) => Math.min(512 * 2 ** 20, Math.max(32 * 2 ** 20, frameBytes / 8)),
};

interface Checkpoint<W> {
  position: number;
  /** The engine without its frames' bytes (it shares the live ArrayBuffer). */
  world: W;
  /** The frames' versions then (see FrameHistory). */
  versions: Uint32Array;
  /** What the copy of the engine and the versions take, roughly. */
  bytes: number;
}

/**
 * The history of everything that changed the engine since it was reset, for
 * time travel. The engine is deterministic, so the state after N actions is
 * the state after the nearest checkpoint at or before N with the actions in
 * between replayed. Checkpoints are spaced by engine work (Limits), so going
 * back one action replays at most about that much. When they outgrow their
 * budget the oldest go, and with them the history before the oldest left
 * (`first`; the actions stay, for sessions). Going back keeps the later
 * actions (to go forward again) until a new action is recorded there, which
 * drops them.
 */
export class Timeline<A, W> {
  entries: Entry<A>[] = [];
  /** How many entries the current state has applied. */
  position = 0;
  /** The first position travel can reach: the history before it was dropped to stay within the budget. */
  first = 0;
  /** Positions right after an entry that finished a full scan. */
  scanMarks: number[] = [];
  /** What the checkpoints may take (bytes, roughly). */
  budget = 0;
  /** The history from here on is kept whatever the budget (a session being opened goes here at its end). */
  hold = Number.POSITIVE_INFINITY;
  private checkpoints: Checkpoint<W>[] = [];
  private frames!: FrameHistory;
  private workSinceCheckpoint: Work = { pages: 0, ms: 0 };
  /** When the last copy of the world ended and how long it took (ms). */
  private copied = { at: 0, ms: 0 };

  /**
   * `memOf` finds the engine's memory in a world; `now` is the clock (ms)
   * that times copies of the world.
   */
  constructor(
    private readonly memOf: (world: W) => PhysMem,
    private readonly now: () => number = () => 0,
    private readonly limits: Limits = LIMITS,
  ) {}

  /** Start over from a base state (a reset or a loaded scenario). */
  start(world: W): void {
    const mem = this.memOf(world);
    this.entries = [];
    this.position = 0;
    this.first = 0;
    this.scanMarks = [];
    this.hold = Number.POSITIVE_INFINITY;
    this.frames = new FrameHistory(mem);
    this.budget = this.limits.budget(mem.nrFrames * PAGE_SIZE);
    this.checkpoints = [this.copy(world)];
    this.workSinceCheckpoint = { pages: 0, ms: 0 };
  }

  /** The next entry, if the state is back in time. */
  get next(): Entry<A> | undefined {
    return this.entries[this.position];
  }

  /**
   * Record an action just applied at the current position (dropping any
   * later history), and take a checkpoint once enough work was done.
   */
  record(entry: Entry<A>, world: W): void {
    this.truncate();
    const before = this.entries.at(-1)?.fullScans ?? 0;
    this.entries.push(entry);
    this.position++;
    if (entry.fullScans > before) this.scanMarks.push(this.position);
    const since = this.add(entry.work);
    if (since.pages < this.limits.pages && since.ms < this.limits.ms) return;
    if (this.now() - this.copied.at < this.limits.copyShare * this.copied.ms) return;
    this.checkpoints.push(this.copy(world));
    this.workSinceCheckpoint = { pages: 0, ms: 0 };
    this.fit();
  }

  /**
   * The action before the current position was replayed going forward
   * (travel): its work counts towards the next checkpoint, from the last one
   * passed. None is taken: the history replayed has its checkpoints already.
   */
  replayed(): void {
    if (this.nearest(this.position).position === this.position)
      this.workSinceCheckpoint = { pages: 0, ms: 0 };
    else this.add(this.entries[this.position - 1].work);
  }

  /** Work since the last checkpoint, with this action's (which counts one page more). */
  private add(work: Work): Work {
    const since = this.workSinceCheckpoint;
    since.pages += work.pages + 1;
    since.ms += work.ms;
    return since;
  }

  /** Where the checkpoints are, oldest first. */
  get checkpointPositions(): number[] {
    return this.checkpoints.map((c) => c.position);
  }

  /** What the checkpoints take now, with the frames' saved bytes (roughly). */
  get bytes(): number {
    return this.checkpoints.reduce((sum, c) => sum + c.bytes, this.frames.bytes);
  }

  /** Where a travel to `position` starts replaying: the nearest checkpoint at or before it (or the oldest). */
  replayStart(position: number): number {
    return this.nearest(position).position;
  }

  /** The state at the nearest checkpoint at or before `position` (at least `first`): where a replay to it starts. */
  checkpointFor(position: number): { position: number; world: W } {
    const best = this.nearest(position);
    this.workSinceCheckpoint = { pages: 0, ms: 0 };
    const world = deepClone(best.world, this.frames.shared);
    this.frames.restore(this.memOf(world), best.versions);
    return { position: best.position, world };
  }

  private nearest(position: number): Checkpoint<W> {
    const cs = this.checkpoints;
    let lo = 0; // cs[lo] is at or before position (or the oldest)
    let hi = cs.length;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (cs[mid].position <= position) lo = mid;
      else hi = mid;
    }
    return cs[lo];
  }

  /** A checkpoint of the world as it is now, timed for the copy share. */
  private copy(world: W): Checkpoint<W> {
    const start = this.now();
    const versions = this.frames.freeze();
    const { copy, bytes } = cloneSized(world, this.frames.shared);
    const end = this.now();
    this.copied = { at: end, ms: end - start };
    return { position: this.position, world: copy, versions, bytes: bytes + versions.byteLength };
  }

  /** Over the budget: drop the oldest checkpoints, as long as the current position and `hold` stay reachable. */
  private fit(): void {
    const keep = Math.min(this.position, this.hold);
    const cs = this.checkpoints;
    while (this.bytes > this.budget && cs.length > 1 && cs[1].position <= keep) {
      const dropped = cs.shift()!;
      this.first = cs[0].position;
      this.frames.forget([dropped.versions], [cs[0].versions]);
    }
  }

  private truncate(): void {
    if (this.position === this.entries.length) return;
    this.entries.length = this.position;
    this.scanMarks = this.scanMarks.filter((p) => p <= this.position);
    const at = this.checkpoints.findIndex((c) => c.position > this.position);
    if (at < 0) return;
    const dropped = this.checkpoints.splice(at);
    this.frames.forget(
      dropped.map((c) => c.versions),
      this.checkpoints.map((c) => c.versions),
    );
  }
}
