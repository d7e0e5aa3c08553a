import type { Action } from "../worker/session";
import { say, startedAfresh, useStore } from "./store";
import { decodeLink, encodeLink, LINK_TOO_LONG, type Link, linkSession, type Source } from "./url";

/** What a link needs from the lessons: a lesson's scenario text by id, and picking the lesson up once restored. */
export interface LessonLinks {
  text(id: string): string | undefined;
  resume(id: string): Promise<void>;
  /** The actions that run a lesson's beats, one per beat after the introduction. */
  beats(id: string): Action[];
}

/**
 * The actions and position a link opens. A lesson's link without a log (one
 * written by hand, `#lesson=…&step=3`) runs that many of its beats; a step
 * past the history opens the nearest one, and says so.
 */
export function linkHistory(link: Link, lessons: LessonLinks): { actions: Action[]; position: number } {
  let actions = link.actions;
  if (link.source.kind === "lesson" && actions.length === 0)
    actions = lessons.beats(link.source.id).slice(0, link.position);
  const position = Math.min(link.position, actions.length);
  if (position < link.position)
    say(
      "info",
      link.source.kind === "lesson" && link.actions.length === 0
        ? `This lesson has beats 0 to ${actions.length}: the link's step ${link.position} opened beat ${position}, the last.`
        : `The link's step ${link.position} is past its history of ${actions.length}: opened step ${position}, the last.`,
    );
  return { actions, position };
}

/** How long the state must rest before the address bar follows it. */
const SETTLE_MS = 300;

function source(): Source {
  const { lesson, preset } = useStore.getState();
  if (lesson) return { kind: "lesson", id: lesson };
  if (preset) return { kind: "preset", file: preset };
  return { kind: "text" };
}

/** A built-in scenario's text, or null if there is none by that name (or it cannot be fetched). */
async function presetText(file: string): Promise<string | null> {
  try {
    const r = await fetch(`${import.meta.env.BASE_URL}scenarios/${encodeURIComponent(file)}`);
    return r.ok ? await r.text() : null;
  } catch {
    return null;
  }
}

/**
 * Rebuild the state a link describes. The worker builds it apart and swaps
 * it in only when whole: a bad link is reported and changes nothing.
 */
export async function openLink(hash: string, lessons: LessonLinks): Promise<boolean> {
  const link = await decodeLink(hash);
  if (typeof link === "string") {
    say("error", `could not open this link: ${link}`);
    return false;
  }
  let text: string | null = link.text ?? null;
  if (link.source.kind === "lesson") text = lessons.text(link.source.id) ?? null;
  if (link.source.kind === "preset") text = await presetText(link.source.file);
  if (link.source.kind !== "reset" && text === null) {
    say("error", "could not open this link: the scenario it names does not exist");
    return false;
  }
  const session = { ...linkSession(link, text), ...linkHistory(link, lessons) };
  const r = await useStore.getState().send({ type: "restore-session", session });
  if (r.errno) {
    say("error", `could not open this link: ${r.message ?? r.errno}`);
    return false;
  }
  startedAfresh({
    lesson: link.source.kind === "lesson" ? link.source.id : undefined,
    preset: link.source.kind === "preset" ? link.source.file : undefined,
  });
  if (link.source.kind === "lesson") await lessons.resume(link.source.id);
  return true;
}

/** The link to the current state, as text for the address bar; null (and said so unless quiet) if too long. */
export async function currentLink(quiet = false): Promise<string | null> {
  const r = await useStore.getState().send({ type: "export-session" });
  if (!r.session) return null;
  const link = await encodeLink(r.session, source());
  if (link === null && !quiet) say("info", LINK_TOO_LONG);
  return link;
}

/**
 * Open the page's link if it has one (and any link pasted into the address
 * bar later), then keep the address bar on the current state whenever it
 * rests (not while ksmd plays: that changes it twenty times a second). A
 * refused link leaves the address as it was; a state too long for a link
 * leaves the last link that fits, and says so once.
 */
export function startPermalink(lessons: LessonLinks): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let ready = false;
  let tooLong = false;
  const open = async (hash: string, before: string) => {
    ready = false;
    try {
      if (!(await openLink(hash, lessons)) && location.hash === hash)
        history.replaceState(null, "", before || location.pathname + location.search);
    } finally {
      ready = true;
    }
  };
  if (location.hash) void open(location.hash, location.hash);
  else ready = true;
  const onHashChange = (e: HashChangeEvent) => {
    if (location.hash) void open(location.hash, new URL(e.oldURL).hash);
  };
  window.addEventListener("hashchange", onHashChange);
  const unsubscribe = useStore.subscribe((s, prev) => {
    // Every update brings a new timeline object: only a new position or length is a new state.
    const same =
      s.timeline.position === prev.timeline.position &&
      s.timeline.length === prev.timeline.length &&
      s.lesson === prev.lesson &&
      s.preset === prev.preset;
    if (same) return;
    clearTimeout(timer);
    if (s.playing) return;
    timer = setTimeout(async () => {
      if (!ready || useStore.getState().playing) return;
      const link = await currentLink(tooLong);
      tooLong = link === null;
      if (link && link !== location.hash) history.replaceState(null, "", link);
    }, SETTLE_MS);
  });
  return () => {
    clearTimeout(timer);
    window.removeEventListener("hashchange", onHashChange);
    unsubscribe();
  };
}
