import { failure } from "./failure";
import type { CommandMessage, Reply, WorkerMessage } from "./protocol";

/** What a command comes to: a reply without its id. */
export type Result = Omit<Reply, "type" | "id">;

/** A long command's work, one small piece per step; it returns its result. */
export type Steps = Generator<void, Result, void>;

/** A command that may take long: it runs in slices, reports progress, and can be cancelled. */
export interface Job {
  /** What it does, for people: "opening the session". */
  what: string;
  steps: Steps;
  /** Written by the steps as they go. */
  progress: { done: number; total: number };
  /** The sentence a cancel answers with (its steps' finally blocks undo or keep what they did). */
  cancelled: string;
  /**
   * For steps that keep what they did: a cancel sets it, and the steps end
   * themselves where what they did is whole (a scenario step or a wake-up of
   * ksmd half done is finished first, in slices), returning ECANCELED.
   * Without it, a cancel stops the steps where they are.
   */
  stop?: { requested: boolean };
}

/** Run a job's steps to their end at once (inside another job, or where it is known to be short). */
export { drain } from "../engine";

/** Progress is only shown for jobs that last: a quick one never flashes a bar. */
const SHOW_AFTER_MS = 250;
const REPORT_EVERY_MS = 100;

interface Running extends Job {
  id: number;
  started: number;
  reported: number;
}

/**
 * Runs one job at a time in slices of `budgetMs`, so the worker goes back to
 * its event loop between them and hears pings and cancels. Commands that
 * arrive meanwhile wait, in order, and run when the job ends.
 */
export class JobRunner {
  private job: Running | null = null;
  private readonly waiting: CommandMessage[] = [];

  constructor(
    private readonly post: (msg: WorkerMessage) => void,
    private readonly now: () => number,
    private readonly budgetMs: number,
    /** Answer a finished job's command. */
    private readonly end: (id: number, r: Result) => void,
    /** Handle a command that waited. */
    private readonly dispatch: (msg: CommandMessage) => void,
  ) {}

  get busy(): boolean {
    return this.job !== null || this.waiting.length > 0;
  }

  /** Keep a command for later if a job is running. */
  hold(msg: CommandMessage): boolean {
    if (!this.job) return false;
    this.waiting.push(msg);
    return true;
  }

  start(id: number, job: Job): void {
    const now = this.now();
    this.job = { ...job, id, started: now, reported: now };
    this.slice();
  }

  /** Run the job for one slice; answer it if it ended. */
  slice(): void {
    const job = this.job;
    if (!job) {
      this.resume();
      return;
    }
    const deadline = this.now() + this.budgetMs;
    let result: Result | null = null;
    try {
      for (;;) {
        const n = job.steps.next();
        if (n.done) {
          result = n.value;
          break;
        }
        if (this.now() >= deadline) break;
      }
    } catch (err) {
      result = failure(err, job.what);
    }
    if (result) this.finish(job, result);
    else this.report(job);
  }

  /** Stop the running job (its steps undo what they must, or end at a whole step); false if none runs. */
  cancel(): boolean {
    const job = this.job;
    if (!job) return false;
    if (job.stop) {
      job.stop.requested = true; // answered when the steps end, in a later slice
      return true;
    }
    let r: Result = { errno: "ECANCELED", message: job.cancelled };
    try {
      job.steps.return({}); // runs the steps' finally blocks: they undo, or keep, what was done
    } catch (err) {
      r = failure(err, job.what);
    }
    this.finish(job, r);
    return true;
  }

  private finish(job: Running, r: Result): void {
    if (r.errno === "ECANCELED" && !r.message) r = { ...r, message: job.cancelled };
    this.job = null;
    this.end(job.id, r);
    this.resume();
  }

  /** Handle the commands that waited, until one starts another job. */
  private resume(): void {
    while (!this.job && this.waiting.length > 0) this.dispatch(this.waiting.shift()!);
  }

  private report(job: Running): void {
    const now = this.now();
    if (now - job.started < SHOW_AFTER_MS || now - job.reported < REPORT_EVERY_MS) return;
    job.reported = now;
    this.post({ type: "progress", id: job.id, what: job.what, ...job.progress });
  }
}
