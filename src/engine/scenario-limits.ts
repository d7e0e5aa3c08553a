import { ScenarioError } from "./scenario";

/** Largest memory_frames: 1 GiB of simulated RAM (the frames' bytes are held in one buffer), as in the app. */
export const MAX_FRAMES = 1 << 18;
/**
 * Pages mapped by all running processes at once. Page tables are held densely
 * (4 bytes a page, copied by fork), so this bounds them to 64 MiB.
 */
export const MAX_MAPPED_PAGES = 1 << 24;
/**
 * The work a whole scenario may ask for, in pages: each page filled, and each
 * page present when a full scan walks it (so n scans of everything written,
 * at most), counts one; walking page tables — mapping, unmapping, forking,
 * exiting, madvising, and a scan's empty addresses — 1/256 a page. About a
 * minute at worst (dense distinct pages scanned again and again); so no file
 * runs away.
 */
export const MAX_WORK = 2 ** 22;
const WALK = 1 / 256;

/**
 * What the running processes of a scenario hold at some step, as the parser
 * follows the steps: their regions' sizes, pages mapped and (at most) present
 * in all, and the work asked for so far. Refuses, naming the step and field,
 * what goes beyond MAX_MAPPED_PAGES or MAX_WORK.
 */
export class ScenarioProcs {
  private readonly regions = new Map<string, Map<string, number>>(); // process -> region -> pages
  private readonly sizes = new Map<string, number>(); // process -> pages mapped
  private readonly touched = new Map<string, number>(); // process -> pages present, at most
  private mapped = 0;
  private present = 0;
  private work = 0;

  has(proc: string): boolean {
    return this.regions.has(proc);
  }

  /** The process's regions, or a ScenarioError naming step i when it is not running. */
  live(i: number, name: string): Map<string, number> {
    const regions = this.regions.get(name);
    if (!regions) throw new ScenarioError(i, "proc", `no running process is called "${name}"`);
    return regions;
  }

  spawn(proc: string): void {
    this.regions.set(proc, new Map());
    this.sizes.set(proc, 0);
    this.touched.set(proc, 0);
  }

  /** fork: the child maps (and has present) what its parent does. */
  fork(i: number, parent: string, child: string): void {
    const pages = this.sizes.get(parent)!;
    this.checkMapped(i, "child", pages);
    this.spend(i, "child", pages * WALK);
    this.regions.set(child, new Map(this.regions.get(parent)));
    this.sizes.set(child, pages);
    this.touched.set(child, this.touched.get(parent)!);
    this.mapped += pages;
    this.present += this.touched.get(parent)!;
  }

  exit(i: number, proc: string): void {
    this.spend(i, "proc", this.sizes.get(proc)! * WALK);
    this.mapped -= this.sizes.get(proc)!;
    this.present -= this.touched.get(proc)!;
    this.regions.delete(proc);
    this.sizes.delete(proc);
    this.touched.delete(proc);
  }

  mmap(i: number, proc: string, region: string, pages: number): void {
    this.checkMapped(i, "pages", pages);
    this.spend(i, "pages", pages * WALK);
    this.regions.get(proc)!.set(region, pages);
    this.resize(proc, pages);
  }

  munmap(i: number, proc: string, region: string): void {
    const pages = this.regions.get(proc)!.get(region)!;
    this.spend(i, "region", pages * WALK);
    this.regions.get(proc)!.delete(region);
    this.resize(proc, -pages);
  }

  /** fill or write: `pages` pages written (present from now on). */
  touch(i: number, field: string, proc: string, pages: number): void {
    this.spend(i, field, pages);
    const touched = Math.min(this.sizes.get(proc)!, this.touched.get(proc)! + pages);
    this.present += touched - this.touched.get(proc)!;
    this.touched.set(proc, touched);
  }

  /** madvise over up to `pages` pages of proc (unmerging walks them). */
  madvise(i: number, proc: string, pages: number): void {
    this.spend(i, "pages", Math.min(pages, this.sizes.get(proc)!) * WALK);
  }

  /** A sysfs write: parsed a page at a time; run=2 unmerges everything mapped. */
  sysfs(i: number, value: string): void {
    this.spend(i, "value", value.length / 4096 + this.mapped * WALK);
  }

  /** wait_scans n: n full scans, each of every present page and (cheaply) every mapped address. */
  scan(i: number, n: number): void {
    this.spend(i, "n", n * Math.max(1, this.present + this.mapped * WALK));
  }

  private resize(proc: string, pages: number): void {
    const size = this.sizes.get(proc)! + pages;
    const touched = Math.min(size, this.touched.get(proc)!);
    this.mapped += pages;
    this.present += touched - this.touched.get(proc)!;
    this.sizes.set(proc, size);
    this.touched.set(proc, touched);
  }

  private spend(i: number, field: string, work: number): void {
    this.work += work;
    if (this.work > MAX_WORK)
      throw new ScenarioError(
        i,
        field,
        `the scenario asks for more than the ${MAX_WORK} page operations a run may take (pages filled or scanned; page tables walked count 1/256)`,
      );
  }

  private checkMapped(i: number, field: string, more: number): void {
    if (this.mapped + more > MAX_MAPPED_PAGES)
      throw new ScenarioError(
        i,
        field,
        `the processes would map ${this.mapped + more} pages in all; the simulator holds at most ${MAX_MAPPED_PAGES}`,
      );
  }
}
