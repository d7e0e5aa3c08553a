import { useState } from "react";
import { download, PICTURES, type Picture, pictureOf } from "../app/exportPicture";
import { currentLink } from "../store/permalink";
import { say, useStore } from "../store/store";

/** Links, files and pictures: what a teacher takes away for slides or sends to a student. */
export function ShareControls() {
  const [picture, setPicture] = useState<Picture>("trees");
  const svg = PICTURES.find((p) => p.id === picture)?.svg ?? false;
  const name = useStore((s) => s.scenario?.name ?? "ksm");

  const copyLink = async () => {
    const link = await currentLink();
    if (!link) return;
    const url = `${location.origin}${location.pathname}${link}`;
    history.replaceState(null, "", link);
    try {
      await navigator.clipboard.writeText(url);
      say("info", "Link copied: it reopens this exact step.");
    } catch {
      say("info", `Link to this step: ${url}`);
    }
  };

  const saveSession = async () => {
    const r = await useStore.getState().send({ type: "export-session" });
    if (!r.session) return;
    download(
      `${name}.session.json`,
      new Blob([JSON.stringify(r.session, null, 1)], { type: "application/json" }),
    );
  };

  const saveScenario = async () => {
    const base = (await useStore.getState().send({ type: "export-session" })).session?.base;
    if (base?.type !== "load-scenario") {
      say("error", "No scenario is loaded: save the session instead, it keeps everything you did.");
      return;
    }
    download(`${name}.json`, new Blob([base.text], { type: "application/json" }));
  };

  const savePicture = (format: "svg" | "png") =>
    pictureOf(picture, format).then(
      (blob) => download(`${name}-${picture}.${format}`, blob),
      // exportPicture's own errors (plain Errors) say what is wrong in words; a browser's would not.
      (err: unknown) =>
        say(
          "error",
          `export: ${err instanceof Error && err.name === "Error" ? err.message : "the picture could not be made"}`,
        ),
    );

  return (
    <section aria-labelledby="share-h">
      <h2 id="share-h">Share and export</h2>
      <div className="control-row">
        <button type="button" onClick={() => void copyLink()}>
          Copy link to this step
        </button>
        <button type="button" onClick={() => void saveSession()}>
          Save session
        </button>
        <button type="button" onClick={() => void saveScenario()}>
          Save scenario
        </button>
      </div>
      <div className="control-row">
        <label>
          picture of the{" "}
          <select value={picture} onChange={(e) => setPicture(e.target.value as Picture)}>
            {PICTURES.map((p) => (
              <option key={p.id} value={p.id}>
                {p.label}
              </option>
            ))}
          </select>
        </label>
        {svg && (
          <button type="button" onClick={() => void savePicture("svg")}>
            SVG
          </button>
        )}
        <button type="button" onClick={() => void savePicture("png")}>
          PNG
        </button>
      </div>
    </section>
  );
}
