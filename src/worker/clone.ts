/**
 * A deep copy of an object graph for checkpoints of the whole engine: class
 * instances keep their prototypes, shared and cyclic references stay shared
 * and cyclic, typed arrays keep sharing their buffers (PhysMem's frames are
 * views of one ArrayBuffer), Maps and Sets are copied. Functions (the
 * checksummer, the host's tracer) are shared, not copied: they must not hold
 * engine state. Iterative, because rmap lists are linked lists far deeper
 * than the JS stack.
 */
export function deepClone<T>(root: T): T {
  const copies = new Map<object, object>();
  const todo: [object, object][] = [];

  const copy = (v: unknown): unknown => {
    if (v === null || typeof v !== "object") return v;
    const done = copies.get(v);
    if (done) return done;
    let c: object;
    if (v instanceof ArrayBuffer) c = v.slice(0);
    else if (ArrayBuffer.isView(v)) {
      const buffer = copy(v.buffer) as ArrayBuffer;
      const View = v.constructor as new (b: ArrayBuffer, offset: number, length: number) => ArrayBufferView;
      const perElement = (v as unknown as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
      c = new View(buffer, v.byteOffset, v.byteLength / perElement);
    } else {
      // Made with their prototype (not re-prototyped afterwards, which would
      // leave V8 slow dictionary-mode objects behind in the restored engine).
      c =
        v instanceof Map
          ? new Map()
          : v instanceof Set
            ? new Set()
            : Array.isArray(v)
              ? new Array(v.length)
              : Object.create(Object.getPrototypeOf(v));
      todo.push([v, c]);
    }
    copies.set(v, c);
    return c;
  };

  const result = copy(root) as T;
  for (let job = todo.pop(); job; job = todo.pop()) {
    const [from, to] = job;
    if (from instanceof Map) for (const [k, x] of from) (to as Map<unknown, unknown>).set(copy(k), copy(x));
    else if (from instanceof Set) for (const x of from) (to as Set<unknown>).add(copy(x));
    else if (Array.isArray(from)) {
      const dst = to as unknown[];
      for (let i = 0; i < from.length; i++) dst[i] = copy(from[i]);
    } else {
      const src = from as Record<string, unknown>;
      const dst = to as Record<string, unknown>;
      for (const key of Object.keys(src)) dst[key] = copy(src[key]);
    }
  }
  return result;
}
