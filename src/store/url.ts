import { isProfileName, type ProfileName } from "../engine";
import { type Action, packActions, type Session, type SessionBase, unpackActions } from "../worker/session";

/**
 * A session in the URL's fragment, so a link reopens the exact state:
 *   #lesson=<id> | #preset=<file> | #scenario=<packed text> | #frames=<n>
 *   &profile=<name>&step=<position>[&log=<packed actions>]
 * Scenario text and actions are deflated and base64url-encoded; runs of
 * equal actions (ksmd waking again and again) are stored once with a count.
 */

/** Where the base scenario comes from: named when it is built in, so links stay short. */
export type Source = { kind: "lesson"; id: string } | { kind: "preset"; file: string } | { kind: "text" };

/** A link's contents before the named scenario is fetched. */
export interface Link {
  source: Source | { kind: "reset"; frames: number };
  text?: string;
  profile: ProfileName;
  actions: Action[];
  position: number;
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Blob([bytes as BlobPart]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(out).arrayBuffer());
}

async function pack(value: unknown): Promise<string> {
  const bytes = await pipe(
    new TextEncoder().encode(JSON.stringify(value)),
    new CompressionStream("deflate-raw"),
  );
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function unpack(text: string): Promise<unknown> {
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(await pipe(bytes, new DecompressionStream("deflate-raw"))));
}

/**
 * The longest link written: browsers cut or refuse longer addresses (Chrome
 * at 2 MB, with the page's own address before the fragment), and a link that
 * cannot be reopened must not replace one that can.
 */
export const MAX_LINK_CHARS = 1_000_000;

export const LINK_TOO_LONG = "This session is too long for a link; use Save session to keep it as a file.";

/** The link to a session, or null if it would be too long to reopen (MAX_LINK_CHARS). */
export async function encodeLink(session: Session, source: Source): Promise<string | null> {
  const p = new URLSearchParams();
  const base = session.base;
  if (base.type === "reset") p.set("frames", String(base.frames));
  else if (source.kind === "lesson") p.set("lesson", source.id);
  else if (source.kind === "preset") p.set("preset", source.file);
  else p.set("scenario", await pack(base.text));
  p.set("profile", base.profile);
  p.set("step", String(session.position));
  if (session.actions.length > 0) p.set("log", await pack(packActions(session.actions)));
  const link = `#${p.toString()}`;
  return link.length <= MAX_LINK_CHARS ? link : null;
}

/** Read a link; a string says what is wrong with it. */
export async function decodeLink(hash: string): Promise<Link | string> {
  const p = new URLSearchParams(hash.replace(/^#/, ""));
  const profile = p.get("profile");
  if (!profile || !isProfileName(profile)) return "the link names no kernel profile";
  const position = Number(p.get("step") ?? "0");
  if (!Number.isSafeInteger(position) || position < 0) return "the link's step is not a number";
  let actions: Action[] = [];
  try {
    const log = p.get("log");
    if (log) {
      const unpacked = unpackActions(await unpack(log));
      if (typeof unpacked === "string") return `the link's log is broken: ${unpacked}`;
      actions = unpacked;
    }
    const lesson = p.get("lesson");
    const preset = p.get("preset");
    const scenario = p.get("scenario");
    const frames = p.get("frames");
    if (lesson) return { source: { kind: "lesson", id: lesson }, profile, actions, position };
    if (preset) return { source: { kind: "preset", file: preset }, profile, actions, position };
    if (scenario) {
      const text = await unpack(scenario);
      if (typeof text !== "string") return "the link's scenario is broken";
      return { source: { kind: "text" }, text, profile, actions, position };
    }
    if (frames) return { source: { kind: "reset", frames: Number(frames) }, profile, actions, position };
  } catch {
    // atob, inflate or JSON.parse failed: the packed part was cut short or altered.
    return "the link is broken: its packed part cannot be read (was it cut short or changed?)";
  }
  return "the link names no scenario";
}

/** The session a link stands for, once a named scenario's text is known. */
export function linkSession(link: Link, text: string | null): Session {
  const base: SessionBase =
    link.source.kind === "reset"
      ? { type: "reset", profile: link.profile, frames: link.source.frames }
      : { type: "load-scenario", text: text ?? "", profile: link.profile };
  return { base, actions: link.actions, position: link.position };
}
