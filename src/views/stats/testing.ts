import { frameMappers, type Snapshot } from "../../engine";

/** A snapshot with no memory, for tests of the stats view: counters and knobs as given. */
export function fakeSnapshot(
  profile: Snapshot["profile"],
  counters: Partial<Snapshot["counters"]> = {},
  knobs: Partial<Snapshot["knobs"]> = {},
): Snapshot {
  return {
    profile,
    counters: {
      pages_shared: 0,
      pages_sharing: 0,
      pages_unshared: 0,
      pages_volatile: 0,
      full_scans: 0,
      rmap_items: 0,
      pages_scanned: 0,
      ...counters,
    },
    knobs: { run: 1, pagesToScan: 200, sleepMillisecs: 20, maxKernelPages: 2000, ...knobs },
    sysfs: [],
    ksmdRunning: true,
    frames: {
      count: 0,
      free: 0,
      state: new Uint8Array(0),
      mapcount: new Int32Array(0),
      contentId: new Uint32Array(0),
    },
    processes: [],
    slots: [],
    itemsOmitted: false,
    cursor: { pid: null, address: 0, item: null, seqnr: 0 },
    stableTree: { root: null, nodes: [] },
    unstableTree: { root: null, nodes: [] },
    index: { nextScan: null, mappers: frameMappers(0, []), areas: {} },
  };
}
