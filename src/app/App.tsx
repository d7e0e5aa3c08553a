const SCENARIO_COMMAND = "npm run -s scenario -- public/scenarios/<file>.json";

export function App() {
  return (
    <main className="placeholder">
      <h1>KSM — kernel samepage merging, visualised</h1>
      <p>
        An interactive, animated walkthrough of how the Linux kernel&rsquo;s <code>ksmd</code> finds identical
        pages and merges them is coming to this page. The simulation engine already works today and can be
        driven from the command line, playing a scenario and printing what ksmd does, step by step:
      </p>
      <pre>
        <code>{SCENARIO_COMMAND}</code>
      </pre>
    </main>
  );
}
