/** The engine's public surface: a deterministic, DOM-free simulation of Linux KSM. */
export { type Checksummer, loadChecksummer } from "./checksum";
export type { DupPick, KsmEvent, KsmEventType, MergeRefusal, Tracer } from "./events";
export { checkInvariants } from "./invariants";
export {
  Kernel,
  type KernelOptions,
  type LastWrite,
  MADV_MERGEABLE,
  MADV_UNMERGEABLE,
  PR_SET_MEMORY_MERGE,
} from "./kernel";
export { type KsmStat, RMAP_ITEM_BYTES } from "./ksm/ksm-618";
export { isProfileName, PROFILES, type ProfileName } from "./ksm/profile";
export { ksmdBatch, ksmdBatchSlices, waitScans, waitScansSlices } from "./ksmd";
export {
  FRAME_ANON,
  FRAME_FREE,
  FRAME_KSM,
  FRAME_ZERO,
  type FrameWriteHook,
  PhysMem,
  ZERO_PFN,
} from "./memory";
export {
  COUNTER_KEYS,
  counters,
  decodeScenarioBytes,
  defaultFrames,
  type OutputLine,
  parseScenario,
  parseScenarioText,
  runOnEveryProfile,
  type Scenario,
  ScenarioError,
  ScenarioRun,
  type Step,
  scenarioKernel,
} from "./scenario";
export { MAX_FRAMES, MAX_MAPPED_PAGES, MAX_WORK } from "./scenario-limits";
export { drain, type Slices } from "./slices";
export {
  ContentIds,
  DEFAULT_LIMITS,
  type DupView,
  type ProcessView,
  pteFrame,
  pteWritable,
  type RmapItemView,
  type SlotView,
  type Snapshot,
  type TreeNodeView,
  type TreeView,
  takeSnapshot,
  type VmaView,
} from "./snapshot";
export {
  type AreaSegment,
  type FrameMappers,
  frameMappers,
  highestUsedFrame,
  type PageRef,
  processAreas,
  type SnapshotIndex,
} from "./snapshotIndex";
export { SYSFS_DIR, sysfsFiles, sysfsInput, sysfsRead, sysfsWritable, sysfsWrite } from "./sysfs";
export { kstrtoul, strictStrtoul } from "./sysfs-parse";
export * from "./types";
export { formatWriteNs, WRITE_COST_NS, type WriteKind } from "./writeCost";
