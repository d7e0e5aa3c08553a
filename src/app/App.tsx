import { useEffect } from "react";
import { ActionButton } from "../controls/ActionButton";
import { onKeyDown } from "../controls/actions";
import { ClockControls, KsmdControls, MachineControls, ProcessControls } from "../controls/ControlPanel";
import { Messages } from "../controls/Messages";
import { ScenarioControls } from "../controls/ScenarioControls";
import { ShareControls } from "../controls/ShareControls";
import { ShortcutList, ShortcutsDialog } from "../controls/Shortcuts";
import { TimelineControls } from "../controls/TimelineControls";
import { lessonById } from "../lessons";
import { LessonPanel } from "../lessons/LessonPanel";
import { scenarioText } from "../lessons/lesson";
import { resumeLesson } from "../lessons/progress";
import { startEngine } from "../store/client";
import { exposeSnapshot } from "../store/inspect";
import { type LessonLinks, startPermalink } from "../store/permalink";
import { useStore } from "../store/store";
import { CodePane } from "../views/code/CodePane";
import { SysfsConsole } from "../views/console/SysfsConsole";
import { FramesView } from "../views/frames/FramesView";
import { EventLog } from "../views/log/EventLog";
import { MappingLinks } from "../views/mapping/MappingLinks";
import { ProcessesView } from "../views/processes/ProcessesView";
import { StatsView } from "../views/stats/StatsView";
import { TreesView } from "../views/trees/TreesView";
import { Tabs } from "./Tabs";

const lessonLinks: LessonLinks = {
  text: (id) => {
    const lesson = lessonById(id);
    return lesson && scenarioText(lesson);
  },
  resume: resumeLesson,
};

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
  const profile = useStore((s) => s.profile);
  const presenter = useStore((s) => s.presenter);
  // rem sizes follow the root's font size, so presenter mode scales the whole page.
  useEffect(() => {
    document.documentElement.classList.toggle("presenter", presenter);
  }, [presenter]);

  return (
    <div className={presenter ? "app presenter" : "app"} data-ready={ready}>
      <header className="app-header">
        <h1>
          KSM <span className="subtitle">kernel samepage merging, visualised</span>
        </h1>
        <span className="profile-badge">
          <span className="sr-only">kernel profile </span>
          {profile}
        </span>
        <ClockControls />
        <MachineControls />
        <TimelineControls />
        <ActionButton id="presenter" pressed={presenter} text="Presenter" />
        <ActionButton id="shortcuts" text="?" />
      </header>
      <ShortcutsDialog />
      <Messages />
      <main className="app-grid mapping-host">
        <aside className="col-controls" aria-label="Controls">
          <LessonPanel />
          <KsmdControls />
          <ProcessControls />
          <ScenarioControls />
          <ShareControls />
          <details>
            <summary>Keyboard shortcuts</summary>
            <ShortcutList />
          </details>
        </aside>
        <div className="col-memory">
          <ProcessesView />
          <FramesView />
        </div>
        <div className="col-trees">
          <TreesView />
        </div>
        <div className="col-stats">
          <StatsView />
          <Tabs
            label="Events, kernel code and sysfs"
            tabs={[
              { id: "log", label: "Event log", content: <EventLog /> },
              { id: "code", label: "Kernel code", content: <CodePane /> },
              { id: "console", label: "sysfs console", content: <SysfsConsole /> },
            ]}
          />
        </div>
        <MappingLinks />
      </main>
    </div>
  );
}
