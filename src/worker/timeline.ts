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
/** Engine time per unit of time spent copying it for checkpoints, at least. */
export const COPY_TIME_SHARE = 10;
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
  /** Work between checkpoints: CHECKPOINT_WORK, doubled each time the budget is full. */
  private spacing = CHECKPOINT_WORK;
  /** When the last copy of the world ended and how long it took (ms). */
  private copied = { at: 0, ms: 0 };

  private readonly now: () => number;

  /** `now` is the clock (ms) that times copies of the world. */
  constructor(now: () => number = () => 0) {
    this.now = now;
  }

  /** Start over from a base state (a reset or a loaded scenario). */
  start(world: W, worldBytes: number): void {
    this.entries = [];
    this.position = 0;
    this.scanMarks = [];
    this.checkpoints = [{ position: 0, world: this.copy(world) }];
    this.workSinceCheckpoint = 0;
    this.spacing = CHECKPOINT_WORK;
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
    if (this.checkpoints.some((c) => c.position === this.position)) this.workSinceCheckpoint = 0;
    if (this.workSinceCheckpoint < this.spacing) return;
    // A machine too big for a second copy within the budget keeps only its base
    // (going back replays from there): copying it only to drop the copy would
    // stall the engine for nothing.
    if (this.maxCheckpoints < 2) return;
    // Copying a big machine takes long (a second for 65,536 frames here): keep
    // copies to a tenth of the engine's time, even if that means longer replays.
    if (this.now() - this.copied.at < COPY_TIME_SHARE * this.copied.ms) return;
    this.workSinceCheckpoint = 0;
    if (this.checkpoints.length >= this.maxCheckpoints) {
      // Full: keep the base and every other later checkpoint, and take them half as often.
      this.checkpoints = this.checkpoints.filter((_, i) => i % 2 === 0);
      this.spacing *= 2;
    }
    const checkpoint = { position: this.position, world: this.copy(world) };
    const at = this.checkpoints.findIndex((c) => c.position > this.position);
    if (at < 0) this.checkpoints.push(checkpoint);
    else this.checkpoints.splice(at, 0, checkpoint);
  }

  /** Where the checkpoints are, oldest first (the base is at 0). */
  get checkpointPositions(): number[] {
    return this.checkpoints.map((c) => c.position);
  }

  /** A deep copy of the world, timed for COPY_TIME_SHARE. */
  private copy(world: W): W {
    const start = this.now();
    const copy = deepClone(world);
    const end = this.now();
    this.copied = { at: end, ms: end - start };
    return copy;
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
