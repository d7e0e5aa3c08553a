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
