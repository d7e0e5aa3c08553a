/**
 * A deep copy of an object graph for checkpoints of the engine: class
 * instances keep their prototypes, shared and cyclic references stay shared
 * and cyclic, typed arrays keep sharing their buffers, Maps and Sets are
 * copied. Functions (the checksummer, the host's tracer) are shared, not
 * copied: they must not hold engine state. Objects in `keep` are shared too:
 * a checkpoint shares the live frames' ArrayBuffer, whose bytes it keeps
 * apart (see frames.ts). Iterative, because rmap lists are linked lists far
 * deeper than the JS stack.
 */
export function deepClone<T>(root: T, keep?: ReadonlySet<object>): T {
  return cloneSized(root, keep).copy;
}

/** Rough bytes V8 takes per object, per property or element, and per Map or Set entry. */
const OBJECT_BYTES = 24;
const SLOT_BYTES = 8;
const ENTRY_BYTES = 32;

type Maker = new (from: object) => object;
/** Per class prototype, the constructors of copies made so far, with the property names each copies. */
const makers = new WeakMap<object, { keys: string[]; make: Maker }[]>();
/** Constructors kept per class: its instances nearly always have one list of properties. */
const MAX_MAKERS = 4;

const sameKeys = (a: string[], b: string[]) => a.length === b.length && a.every((k, i) => k === b[i]);

/**
 * A constructor that copies these properties, in this order, onto an object
 * with this prototype. V8 gives an object made by a constructor that assigns
 * N properties room for them inside the object, and every copy of one class
 * one hidden class; so the engine runs on a restored copy about as fast as
 * on the original. (Object.create plus assignments put most fields in a
 * separate store, and ksmd ran 3–4 times slower after a travel.) Null past
 * MAX_MAKERS lists for one class, so that no input makes many functions.
 */
function makerFor(proto: object, keys: string[]): Maker | null {
  let known = makers.get(proto);
  if (!known) {
    known = [];
    makers.set(proto, known);
  }
  // Nearly always the first: objects of one class have the same properties.
  for (const m of known) if (sameKeys(m.keys, keys)) return m.make;
  if (known.length >= MAX_MAKERS) return null;
  const body = keys.map((k) => `this[${JSON.stringify(k)}] = from[${JSON.stringify(k)}];`).join("\n");
  const make = new Function("from", body) as unknown as Maker;
  make.prototype = proto;
  known.push({ keys, make });
  return make;
}

const isObject = (v: unknown): v is object => v !== null && typeof v === "object";

/** deepClone, and about how many bytes the copy takes (typed arrays exactly, objects roughly). */
export function cloneSized<T>(root: T, keep?: ReadonlySet<object>): { copy: T; bytes: number } {
  const copies = new Map<object, object>();
  // Copies whose object references still point at the originals (and an object's property names).
  const todo: [object, object, string[]?][] = [];
  let bytes = 0;

  const copy = (v: unknown): unknown => {
    if (!isObject(v)) return v;
    const done = copies.get(v);
    if (done) return done;
    if (keep?.has(v)) return v;
    let c: object;
    if (v instanceof ArrayBuffer) {
      c = v.slice(0);
      bytes += v.byteLength;
    } else if (ArrayBuffer.isView(v)) {
      const buffer = copy(v.buffer) as ArrayBuffer;
      const View = v.constructor as new (b: ArrayBuffer, offset: number, length: number) => ArrayBufferView;
      const perElement = (v as unknown as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
      c = new View(buffer, v.byteOffset, v.byteLength / perElement);
      bytes += OBJECT_BYTES;
    } else if (v instanceof Map || v instanceof Set || Array.isArray(v)) {
      c = v instanceof Map ? new Map() : v instanceof Set ? new Set() : v.slice();
      todo.push([v, c]);
    } else {
      const proto = Object.getPrototypeOf(v);
      const keys = Object.keys(v);
      // A plain object's spread copy has its shape; a class instance needs a maker.
      const make = proto === Object.prototype ? null : makerFor(proto, keys);
      c = make ? new make(v) : proto === Object.prototype ? { ...v } : Object.assign(Object.create(proto), v);
      todo.push([v, c, keys]);
    }
    copies.set(v, c);
    return c;
  };

  const result = copy(root) as T;
  for (let job = todo.pop(); job; job = todo.pop()) {
    const [from, to, keys] = job;
    if (from instanceof Map) {
      for (const [k, x] of from) (to as Map<unknown, unknown>).set(copy(k), copy(x));
      bytes += OBJECT_BYTES + ENTRY_BYTES * from.size;
    } else if (from instanceof Set) {
      for (const x of from) (to as Set<unknown>).add(copy(x));
      bytes += OBJECT_BYTES + ENTRY_BYTES * from.size;
    } else if (Array.isArray(from)) {
      const dst = to as unknown[];
      for (let i = 0; i < from.length; i++) if (isObject(from[i])) dst[i] = copy(from[i]);
      bytes += OBJECT_BYTES + SLOT_BYTES * from.length;
    } else if (keys) {
      const src = from as Record<string, unknown>;
      const dst = to as Record<string, unknown>;
      for (const key of keys) if (isObject(src[key])) dst[key] = copy(src[key]);
      bytes += OBJECT_BYTES + SLOT_BYTES * keys.length;
    }
  }
  return { copy: result, bytes };
}
