import { deepClone } from "./clone";

/** One recorded action and the clock and scan count just after it. */
export interface Entry<A> {
  action: A;
  simTimeMs: number;
  nextWakeMs: number;
  fullScans: number;
}

/** Engine work (pages scanned plus actions) between checkpoints: a restore replays at most this much. */
export const CHECKPOINT_WORK = 50_000;
/** Memory the checkpoints may take in all; a big machine gets fewer of them, and longer replays. */
export const CHECKPOINT_BUDGET_BYTES = 512 * 2 ** 20;

interface Checkpoint<W> {
  position: number;
  world: W;
}

/**
 * The history of everything that changed the engine since it was reset, for
 * time travel. The engine is deterministic, so the state after N actions is
 * the state after the nearest checkpoint at or before N with the actions in
 * between replayed. Going back keeps the later actions (to go forward again)
 * until a new action is recorded there, which drops them.
 */
export class Timeline<A, W> {
  entries: Entry<A>[] = [];
  /** How many entries the current state has applied. */
  position = 0;
  /** Positions right after an entry that finished a full scan. */
  scanMarks: number[] = [];
  private checkpoints: Checkpoint<W>[] = [];
  private workSinceCheckpoint = 0;
  private maxCheckpoints = 1;

  /** Start over from a base state (a reset or a loaded scenario). */
  start(world: W, worldBytes: number): void {
    this.entries = [];
    this.position = 0;
    this.scanMarks = [];
    this.checkpoints = [{ position: 0, world: deepClone(world) }];
    this.workSinceCheckpoint = 0;
    this.maxCheckpoints = Math.max(1, Math.floor(CHECKPOINT_BUDGET_BYTES / worldBytes));
  }

  /** The next entry, if the state is back in time. */
  get next(): Entry<A> | undefined {
    return this.entries[this.position];
  }

  /** Record an action just applied at the current position (dropping any later history). */
  record(entry: Entry<A>, work: number, world: W): void {
    this.truncate();
    const before = this.entries.at(-1)?.fullScans ?? 0;
    this.entries.push(entry);
    this.position++;
    if (entry.fullScans > before) this.scanMarks.push(this.position);
    this.advanced(work, world);
  }

  /** An action applied (recorded, or replayed going forward): checkpoint once enough work was done. */
  advanced(work: number, world: W): void {
    this.workSinceCheckpoint += work + 1;
    const at = this.checkpoints.findIndex((c) => c.position >= this.position);
    if (at >= 0 && this.checkpoints[at].position === this.position) this.workSinceCheckpoint = 0;
    if (this.workSinceCheckpoint < CHECKPOINT_WORK) return;
    this.workSinceCheckpoint = 0;
    const checkpoint = { position: this.position, world: deepClone(world) };
    if (at < 0) this.checkpoints.push(checkpoint);
    else this.checkpoints.splice(at, 0, checkpoint);
    // Over budget: keep the base and every other later checkpoint.
    if (this.checkpoints.length > this.maxCheckpoints)
      this.checkpoints = this.checkpoints.filter((_, i) => i % 2 === 0);
  }

  /** A copy of the nearest checkpoint at or before `position`: where a replay to it starts. */
  checkpointFor(position: number): Checkpoint<W> {
    let best = this.checkpoints[0];
    for (const c of this.checkpoints) if (c.position <= position) best = c;
    this.workSinceCheckpoint = 0;
    return { position: best.position, world: deepClone(best.world) };
  }

  private truncate(): void {
    if (this.position === this.entries.length) return;
    this.entries.length = this.position;
    this.scanMarks = this.scanMarks.filter((p) => p <= this.position);
    this.checkpoints = this.checkpoints.filter((c) => c.position <= this.position);
  }
}
