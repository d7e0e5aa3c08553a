import { beforeAll, describe, expect, it } from "vitest";
import { type Checksummer, loadChecksummer } from "../engine";
import { hostHarness } from "./testing";

let checksummer: Checksummer;
beforeAll(async () => {
  checksummer = await loadChecksummer();
});

const setup = () => hostHarness(checksummer);

describe("whole actions", () => {
  it("starts a process from a template as one command and one timeline entry", () => {
    const { send, latest } = setup();
    const r = send({ type: "start-process", name: "guest1", values: [7, 7, null, 9], mergeable: true });
    expect(r.errno).toBeUndefined();
    const u = latest();
    expect(u.timeline).toMatchObject({ position: 1, length: 1 });
    expect(u.timeline.label).toBe("started guest1: 4 pages, madvised MERGEABLE");
    const p = u.snapshot.processes.find((q) => q.pid === r.value)!;
    expect(p.name).toBe("guest1");
    expect(p.vmas).toHaveLength(1);
    expect(p.vmas[0].mergeable).toBe(true);
    // Three pages written, the third left untouched (not present).
    expect(u.snapshot.frames.count - u.snapshot.frames.free).toBeGreaterThanOrEqual(3);
  });

  it("replays a started process exactly when travelling back and forth", () => {
    const { send, latest } = setup();
    send({ type: "start-process", name: "a", values: [1, 2], mergeable: false });
    send({ type: "start-process", name: "b", values: [1, 2], mergeable: true });
    const before = latest().snapshot;
    send({ type: "travel", position: 0 });
    expect(latest().snapshot.processes).toHaveLength(0);
    send({ type: "travel", position: 2 });
    const after = latest().snapshot;
    expect(after.processes.map((p) => [p.name, p.vmas[0].mergeable])).toEqual(
      before.processes.map((p) => [p.name, p.vmas[0].mergeable]),
    );
  });

  it("does not record a sysfs write the kernel rejected", () => {
    const { send, latest } = setup();
    expect(send({ type: "sysfs-write", file: "pages_to_scan", value: "lots\n" })).toMatchObject({
      errno: "EINVAL",
    });
    expect(send({ type: "sysfs-write", file: "full_scans", value: "1\n" })).toMatchObject({
      errno: "EACCES",
    });
    expect(latest().timeline.length).toBe(0);
    send({ type: "sysfs-write", file: "pages_to_scan", value: "50\n" });
    expect(latest().timeline.length).toBe(1);
  });

  it("sends no picture for a question that changes nothing", () => {
    const { send, updates, ack } = setup();
    ack();
    const n = updates().length;
    send({ type: "export-session" });
    ack();
    send({ type: "export-session" });
    ack();
    expect(updates()).toHaveLength(n);
  });
});

describe("prctl(PR_SET_MEMORY_MERGE) as a command", () => {
  const merge = (pid: number, value: number) =>
    ({ type: "prctl", pid, option: "PR_SET_MEMORY_MERGE", value }) as const;

  it("on 6.18, makes the whole process mergeable, is recorded, and replays when travelling", () => {
    const { send, latest } = setup();
    send({ type: "reset", profile: "linux-6.18", frames: 64 });
    const pid = send({ type: "start-process", name: "P", values: [5, 5, 5], mergeable: false }).value!;
    expect(send(merge(pid, 1)).errno).toBeUndefined();
    const u = latest();
    expect(u.timeline).toMatchObject({ position: 2, length: 2 });
    expect(u.timeline.label).toBe(`prctl(PR_SET_MEMORY_MERGE, 1) in pid ${pid}`);
    const p = () => latest().snapshot.processes.find((q) => q.pid === pid)!;
    expect(p().ksmStat).toMatchObject({ ksm_merge_any: 1, ksm_mergeable: 1 });
    expect(p().vmas.every((v) => v.mergeable)).toBe(true);
    send({ type: "sysfs-write", file: "run", value: "1" });
    send({ type: "step", unit: "scan" });
    send({ type: "step", unit: "scan" });
    expect(p().ksmStat?.ksm_merging_pages).toBe(3);
    send({ type: "travel", position: 1 });
    expect(p().ksmStat).toMatchObject({ ksm_merge_any: 0, ksm_mergeable: 0, ksm_merging_pages: 0 });
    send({ type: "travel", position: 5 });
    expect(p().ksmStat).toMatchObject({ ksm_merge_any: 1, ksm_merging_pages: 3 });
    // Off again: no area mergeable, the pages unmerged; ksm_stat counts them until ksmd's next scan drops their rmap_items.
    expect(send(merge(pid, 0)).errno).toBeUndefined();
    expect(p().ksmStat).toMatchObject({ ksm_merge_any: 0, ksm_mergeable: 0 });
    expect(p().vmas.some((v) => v.mergeable)).toBe(false);
    send({ type: "step", unit: "scan" });
    expect(p().ksmStat).toMatchObject({ ksm_merging_pages: 0, ksm_rmap_items: 0 });
  });

  it("on 2.6.32, answers EINVAL (no such option) and records nothing", () => {
    const { send, latest } = setup();
    const pid = send({ type: "start-process", name: "P", values: [5, 5], mergeable: false }).value!;
    expect(send(merge(pid, 1))).toMatchObject({ errno: "EINVAL", message: "Invalid argument" });
    const u = latest();
    expect(u.timeline.length).toBe(1);
    expect(u.snapshot.processes[0].vmas[0].mergeable).toBe(false);
  });

  it("on 6.18, a pid that does not exist is ESRCH, not recorded", () => {
    const { send, latest } = setup();
    send({ type: "reset", profile: "linux-6.18", frames: 64 });
    expect(send(merge(99, 1))).toMatchObject({ errno: "ESRCH" });
    expect(latest().timeline.length).toBe(0);
  });
});
