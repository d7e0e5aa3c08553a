/*
 * Snapshots for the views' tests: a real one from the engine (through its
 * public surface only), and hand-made ones with exactly the frames and PTEs
 * a test needs.
 */
import {
  type Checksummer,
  ContentIds,
  FRAME_ANON,
  FRAME_FREE,
  FRAME_KSM,
  FRAME_ZERO,
  frameMappers,
  highestUsedFrame,
  Kernel,
  type KsmEvent,
  loadChecksummer,
  MADV_MERGEABLE,
  type PageRef,
  type ProcessView,
  type ProfileName,
  processAreas,
  type Snapshot,
  takeSnapshot,
  waitScans,
} from "../../engine";

let checksummer: Checksummer | null = null;

export async function loadEngineForTests(): Promise<void> {
  checksummer ??= await loadChecksummer();
}

/** A new machine of this profile; loadEngineForTests() must have run. */
export function testKernel(profile: ProfileName = "linux-2.6.32", frames = 64): Kernel {
  if (!checksummer) throw new Error("call loadEngineForTests() in a beforeAll");
  return new Kernel({ frames, profile, checksummer });
}

export interface Machine {
  k: Kernel;
  ids: ContentIds;
  events: KsmEvent[];
  a: { pid: number; start: number };
  b: { pid: number; start: number };
  snap: () => Snapshot;
}

/**
 * A with four pages (values 1, 1, 2, 3) and B with two (1, 9), both
 * mergeable, after two full scans: the three pages of 1 share one KSM page.
 */
export function mergedMachine(frames = 64): Machine {
  const k = testKernel("linux-2.6.32", frames);
  const events: KsmEvent[] = [];
  k.tracer = (e) => events.push(e);
  const proc = (name: string, values: number[]) => {
    const t = k.spawn(name);
    const start = k.mmap(t.pid, values.length, "r");
    if (typeof start === "string") throw new Error(start);
    values.forEach((v, i) => {
      if (k.fill(t.pid, start + i * 4096, 1, v) !== 0) throw new Error("fill");
    });
    if (k.madvise(t.pid, start, values.length * 4096, MADV_MERGEABLE) !== 0) throw new Error("madvise");
    return { pid: t.pid, start };
  };
  const a = proc("A", [1, 1, 2, 3]);
  const b = proc("B", [1, 9]);
  const err = waitScans(k, 2);
  if (err) throw new Error(err);
  const ids = new ContentIds();
  return { k, ids, events, a, b, snap: () => takeSnapshot(k, ids) };
}

/** A hand-made snapshot: frames with these states and mapcounts, and these processes. */
export function fakeSnapshot(opts: {
  frames: { state: number; mapcount?: number; content?: number }[] | number;
  processes?: ProcessView[];
  slots?: Snapshot["slots"];
  cursor?: Partial<Snapshot["cursor"]>;
  nextScan?: PageRef | null;
}): Snapshot {
  const processes = opts.processes ?? [];
  const list: { state: number; mapcount?: number; content?: number }[] =
    typeof opts.frames === "number"
      ? Array.from({ length: opts.frames }, (_, i) => ({ state: i === 0 ? FRAME_ZERO : FRAME_FREE }))
      : opts.frames;
  const n = list.length;
  const state = new Uint8Array(n);
  const mapcount = new Int32Array(n);
  const contentId = new Uint32Array(n);
  list.forEach((f, i) => {
    state[i] = f.state;
    mapcount[i] = f.mapcount ?? (f.state === FRAME_FREE ? 0 : 1);
    contentId[i] = f.content ?? (f.state === FRAME_FREE ? 0 : 1000 + i);
  });
  return {
    profile: "linux-2.6.32",
    counters: {
      pages_shared: 0,
      pages_sharing: 0,
      pages_unshared: 0,
      pages_volatile: 0,
      full_scans: 0,
      rmap_items: 0,
      pages_scanned: 0,
    },
    knobs: {} as Snapshot["knobs"],
    sysfs: [],
    ksmdRunning: false,
    frames: { count: n, free: list.filter((f) => f.state === FRAME_FREE).length, state, mapcount, contentId },
    processes,
    slots: opts.slots ?? [],
    itemsOmitted: false,
    cursor: { pid: null, address: 0, item: null, seqnr: 0, ...opts.cursor },
    stableTree: { root: null, nodes: [] },
    unstableTree: { root: null, nodes: [] },
    index: {
      nextScan: opts.nextScan ?? null,
      mappers: frameMappers(n, processes),
      topFrame: highestUsedFrame(state, n),
      areas: processAreas(processes),
    },
  };
}

/** A PTE for pfn (as the snapshot encodes it). */
export function pte(pfn: number, writable: boolean): number {
  return ((pfn + 1) << 1) | (writable ? 1 : 0);
}

export { FRAME_ANON, FRAME_FREE, FRAME_KSM, FRAME_ZERO };
