import { useEffect } from "react";
import { ActionButton } from "../controls/ActionButton";
import { onKeyDown } from "../controls/actions";
import { MachineControls, MotionToggle, ProcessControls, SimTime } from "../controls/ControlPanel";
import { KsmdControls } from "../controls/KsmdControls";
import { Messages } from "../controls/Messages";
import { ScenarioControls } from "../controls/ScenarioControls";
import { ShareControls } from "../controls/ShareControls";
import { ShortcutList, ShortcutsDialog } from "../controls/Shortcuts";
import { StepBar } from "../controls/StepBar";
import { lessonById } from "../lessons";
import { LessonPanel } from "../lessons/LessonPanel";
import { scenarioText } from "../lessons/lesson";
import { resumeLesson } from "../lessons/progress";
import { startEngine } from "../store/client";
import { exposeSnapshot } from "../store/inspect";
import { type LessonLinks, startPermalink } from "../store/permalink";
import { setDrawer } from "../store/stage";
import { useStore } from "../store/store";
import { CodePane } from "../views/code/CodePane";
import { SysfsConsole } from "../views/console/SysfsConsole";
import { EventLog } from "../views/log/EventLog";
import { MappingLinks } from "../views/mapping/MappingLinks";
import { ProcessesView } from "../views/processes/ProcessesView";
import { StatsView } from "../views/stats/StatsView";
import { TreesView } from "../views/trees/TreesView";
import { Caption } from "./Caption";
import { SidePanel } from "./SidePanel";
import { StageBox, StageMemory } from "./StageMemory";

const lessonLinks: LessonLinks = {
  text: (id) => {
    const lesson = lessonById(id);
    return lesson && scenarioText(lesson);
  },
  resume: resumeLesson,
  beats: (id) =>
    (lessonById(id)?.beats.slice(1) ?? [])
      .filter((b) => b.steps > 0)
      .map((b) => ({ type: "scenario-step", count: b.steps }) as const),
};

/**
 * The app: a header, the stage (processes, physical memory, both trees and
 * the counters, always in view, never scrolled), the caption and the step
 * bar at its foot. Lessons and forms live in a drawer beside the stage; the
 * event log, kernel code and sysfs console in a side panel at its right edge.
 * Each open one takes a column of its own and the stage narrows (app.css).
 */
export function App() {
  useEffect(() => {
    const stopEngine = startEngine();
    exposeSnapshot();
    const stopLink = startPermalink(lessonLinks);
    return () => {
      stopLink();
      stopEngine();
    };
  }, []);
  useEffect(() => {
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, []);
  const ready = useStore((s) => s.snapshot !== null);
  // Three processes or more lie side by side in compact cards (app.css).
  const crowded = useStore((s) => (s.snapshot?.processes.length ?? 0) >= 3);
  const profile = useStore((s) => s.profile);
  const presenter = useStore((s) => s.presenter);
  const drawer = useStore((s) => s.drawer);
  const lesson = useStore((s) => s.lesson);
  const panel = useStore((s) => s.panel);
  // rem sizes follow the root's font size, so presenter mode scales the whole page.
  useEffect(() => {
    document.documentElement.classList.toggle("presenter", presenter);
  }, [presenter]);
  // A lesson opened (from the list or a link) shows its narration beside the stage.
  useEffect(() => {
    if (lesson) setDrawer(true);
  }, [lesson]);

  return (
    <div className={presenter ? "app presenter" : "app"} data-ready={ready}>
      <header className="app-header">
        <button
          type="button"
          className="drawer-toggle"
          aria-expanded={drawer}
          aria-controls="drawer"
          onClick={() => setDrawer(!drawer)}
        >
          <span aria-hidden="true">{drawer ? "✕ " : "☰ "}</span>
          Lessons & controls
        </button>
        <h1>
          KSM <span className="subtitle">kernel samepage merging, visualised</span>
        </h1>
        <span className="profile-badge">
          <span className="sr-only">kernel profile </span>
          {profile}
        </span>
        <span className="header-end">
          <SimTime />
          <MotionToggle />
          <ActionButton id="presenter" pressed={presenter} text="Presenter" />
          <ActionButton id="shortcuts" text="?" />
        </span>
      </header>
      <ShortcutsDialog />
      <Messages />
      <div className={bodyClass(drawer && !presenter, panel !== null && !presenter)}>
        <aside id="drawer" className="drawer" aria-label="Lessons and controls" hidden={!drawer || presenter}>
          <LessonPanel />
          <KsmdControls />
          <ProcessControls />
          <ScenarioControls />
          <section aria-labelledby="machine-h">
            <h2 id="machine-h">Machine</h2>
            <MachineControls />
          </section>
          <ShareControls />
          <details>
            <summary>Keyboard shortcuts</summary>
            <ShortcutList />
          </details>
        </aside>
        <main className="stage mapping-host" aria-label="The stage" data-crowded={crowded || undefined}>
          <StageBox className="stage-processes" label="Processes, virtual pages">
            <ProcessesView />
          </StageBox>
          <StageMemory />
          <StageBox className="stage-trees" label="Stable and unstable trees">
            <TreesView />
          </StageBox>
          <StageBox className="stage-counters" label="Counters">
            <StatsView />
          </StageBox>
          <MappingLinks />
        </main>
        <SidePanel
          tabs={[
            { id: "log", label: "Event log", content: <EventLog /> },
            { id: "code", label: "Kernel code", content: <CodePane /> },
            { id: "console", label: "sysfs console", content: <SysfsConsole /> },
          ]}
        />
      </div>
      <footer className="stage-foot">
        <Caption />
        <StepBar />
      </footer>
    </div>
  );
}

/** The body's classes: app.css lays the stage out for the columns the drawer and the side panel take. */
function bodyClass(drawer: boolean, panel: boolean): string {
  return ["app-body", drawer ? "drawer-open" : "", panel ? "panel-open" : ""].filter(Boolean).join(" ");
}
