import { describe, expect, it } from "vitest";
import { sysfsFiles } from "../../engine";
import { columns, INITIAL_STATE, KSM_DIR, prompt, runLine } from "./shell";
import { machine } from "./testing";

const FILES_2_6_32 = sysfsFiles("linux-2.6.32");
const FILES_6_18 = sysfsFiles("linux-6.18");

describe("the prompt", () => {
  it("is root@ksm:DIR# with home as ~", () => {
    expect(prompt(KSM_DIR)).toBe("root@ksm:/sys/kernel/mm/ksm# ");
    expect(prompt("/root")).toBe("root@ksm:~# ");
    expect(prompt("/")).toBe("root@ksm:/# ");
    expect(INITIAL_STATE.cwd).toBe(KSM_DIR);
  });
});

describe("cat", () => {
  it("prints a file by full or relative path", async () => {
    const { sh } = machine();
    expect(await sh("cat /sys/kernel/mm/ksm/run")).toEqual(["1"]);
    expect(await sh("cat pages_to_scan sleep_millisecs")).toEqual(["200", "20"]);
    expect(await sh("cat ./run ../ksm/run")).toEqual(["1", "1"]);
  });

  it("reports missing files and directories as coreutils does, and goes on", async () => {
    const { sh, state } = machine();
    expect(await sh("cat /sys/kernel/mm/ksm/nope")).toEqual([
      "!cat: /sys/kernel/mm/ksm/nope: No such file or directory",
    ]);
    expect(state().status).toBe(1);
    expect(await sh("cat nope run")).toEqual(["!cat: nope: No such file or directory", "1"]);
    expect(await sh("cat .")).toEqual(["!cat: .: Is a directory"]);
    expect(await sh("cat run/x")).toEqual(["!cat: run/x: Not a directory"]);
    expect(await sh("cat *zz")).toEqual(["!cat: '*zz': No such file or directory"]);
    expect(await sh("cat -z")).toEqual([
      "!cat: invalid option -- 'z'",
      "!Try 'cat --help' for more information.",
    ]);
  });

  it("shows a counter only 2.6.32 or 6.18 has, and not the other", async () => {
    expect(await machine("linux-2.6.32").sh("cat max_kernel_pages")).toEqual(["2000"]);
    expect(await machine("linux-6.18").sh("cat max_kernel_pages")).toEqual([
      "!cat: max_kernel_pages: No such file or directory",
    ]);
    expect(await machine("linux-6.18").sh("cat pages_scanned")).toEqual(["0"]);
  });
});

describe("echo into a knob", () => {
  it("writes exactly what echo writes: the value and a newline", async () => {
    const { sh, writes, knob } = machine();
    expect(await sh("echo 1 > /sys/kernel/mm/ksm/run")).toEqual([]);
    expect(await sh("echo 1 >run")).toEqual([]);
    expect(await sh('echo "20" > sleep_millisecs')).toEqual([]);
    expect(await sh("echo -n 300 > pages_to_scan")).toEqual([]);
    expect(await sh("echo '50'>>sleep_millisecs")).toEqual([]);
    expect(writes).toEqual([
      'run="1\\n"',
      'run="1\\n"',
      'sleep_millisecs="20\\n"',
      'pages_to_scan="300"',
      'sleep_millisecs="50\\n"',
    ]);
    expect([knob("run"), knob("pages_to_scan"), knob("sleep_millisecs")]).toEqual(["1\n", "300\n", "50\n"]);
  });

  it("EINVAL: bash: echo: write error: Invalid argument", async () => {
    const { sh, state, knob } = machine();
    for (const line of [
      "echo abc > run",
      "echo 3 > run",
      "echo > run",
      "echo -n abc > run",
      "echo 1 2 > run",
    ])
      expect(await sh(line), line).toEqual(["!bash: echo: write error: Invalid argument"]);
    expect(state().status).toBe(1);
    expect(knob("run")).toBe("1\n");
    // 1>run is a redirection of descriptor 1: echo writes just a newline.
    expect(await sh("echo 1>run")).toEqual(["!bash: echo: write error: Invalid argument"]);
  });

  it("ENOMEM: bash: echo: write error: Cannot allocate memory", async () => {
    const { sh } = machine("linux-2.6.32", "ENOMEM");
    expect(await sh("echo 2 > /sys/kernel/mm/ksm/run")).toEqual([
      "!bash: echo: write error: Cannot allocate memory",
    ]);
  });

  it("a read-only file: Permission denied at open, as typed, and nothing is written", async () => {
    const { sh, writes, state } = machine();
    expect(await sh("echo x > /sys/kernel/mm/ksm/pages_shared")).toEqual([
      "!bash: /sys/kernel/mm/ksm/pages_shared: Permission denied",
    ]);
    expect(state().status).toBe(1);
    expect(await sh("echo 0 >> full_scans")).toEqual(["!bash: full_scans: Permission denied"]);
    // sysfs creates no files.
    expect(await sh("echo 1 > /sys/kernel/mm/ksm/nope")).toEqual([
      "!bash: /sys/kernel/mm/ksm/nope: Permission denied",
    ]);
    expect(writes).toEqual([]);
  });

  it("6.18 has no max_kernel_pages to write; 6.18 takes +N, 2.6.32 does not", async () => {
    const new_ = machine("linux-6.18");
    expect(await new_.sh("echo 5 > max_kernel_pages")).toEqual([
      "!bash: max_kernel_pages: Permission denied",
    ]);
    expect(await new_.sh("echo +5 > pages_to_scan; cat pages_to_scan")).toEqual(["5"]);
    expect(await new_.sh("echo 5 > pages_scanned")).toEqual(["!bash: pages_scanned: Permission denied"]);
    const old = machine("linux-2.6.32");
    expect(await old.sh("echo 5 > max_kernel_pages; cat max_kernel_pages")).toEqual(["5"]);
    expect(await old.sh("echo +5 > pages_to_scan")).toEqual(["!bash: echo: write error: Invalid argument"]);
  });

  it("directories and missing directories, as bash says", async () => {
    const { sh } = machine();
    expect(await sh("echo 1 > /sys/kernel/mm/ksm")).toEqual(["!bash: /sys/kernel/mm/ksm: Is a directory"]);
    expect(await sh("echo 1 > run/x")).toEqual(["!bash: run/x: Not a directory"]);
    expect(await sh("echo 1 > /sys/kernel/mm/ksm/nodir/x")).toEqual([
      "!bash: /sys/kernel/mm/ksm/nodir/x: No such file or directory",
    ]);
  });

  it("prints without a redirection; -n leaves the line open; -e escapes", async () => {
    const { sys } = machine();
    const r = await runLine("echo -n hi", sys, INITIAL_STATE);
    expect(r.lines).toEqual([{ text: "hi", error: false }]);
    expect(r.partial).toBe(true);
    const { sh } = machine();
    expect(await sh("echo a  'b  c' \"d\"e")).toEqual(["a b  c de"]);
    expect(await sh("echo -e 'a\\tb\\nc'")).toEqual(["a\tb", "c"]);
    expect(await sh("echo -x y")).toEqual(["-x y"]);
    expect(await sh("echo \\$HOME $HOME ~ ~/x '~'")).toEqual(["$HOME /root /root /root/x ~"]);
    expect(await sh("echo # a comment")).toEqual([""]);
  });
});

describe("a glob and redirection that match many files", () => {
  it("is an ambiguous redirect", async () => {
    const { sh } = machine();
    expect(await sh("echo 1 > pages_*")).toEqual(["!bash: pages_*: ambiguous redirect"]);
    expect(await sh("echo 1 > r?n; cat run")).toEqual(["1"]);
  });
});

describe("grep . files", () => {
  it("prints path:value for each file, as given", async () => {
    const { sh } = machine();
    const full = await sh("grep . /sys/kernel/mm/ksm/*");
    expect(full).toHaveLength(9);
    expect(full).toContain("/sys/kernel/mm/ksm/run:1");
    expect(full).toContain("/sys/kernel/mm/ksm/max_kernel_pages:2000");
    expect(full[0]).toBe("/sys/kernel/mm/ksm/full_scans:0");
    expect(await sh("grep . run sleep_millisecs")).toEqual(["run:1", "sleep_millisecs:20"]);
    expect(await sh("grep . run")).toEqual(["1"]);
    expect(await sh("grep -H . run")).toEqual(["run:1"]);
    expect(await sh("grep -c 1 run full_scans")).toEqual(["run:1", "full_scans:0"]);
  });

  it("lists each profile's files", async () => {
    expect((await machine("linux-2.6.32").sh("grep . *")).map((l) => l.split(":")[0])).toEqual(FILES_2_6_32);
    expect((await machine("linux-6.18").sh("grep . *")).map((l) => l.split(":")[0])).toEqual(FILES_6_18);
  });

  it("errors and exit status as GNU grep", async () => {
    const { sh, state } = machine();
    expect(await sh("grep . nope")).toEqual(["!grep: nope: No such file or directory"]);
    expect(state().status).toBe(2);
    expect(await sh("grep . nope*")).toEqual(["!grep: nope*: No such file or directory"]);
    expect(await sh("grep . /sys/kernel/mm")).toEqual(["!grep: /sys/kernel/mm: Is a directory"]);
    expect(await sh("grep")).toEqual([
      "!Usage: grep [OPTION]... PATTERNS [FILE]...",
      "!Try 'grep --help' for more information.",
    ]);
    expect(await sh("grep 7 run")).toEqual([]);
    expect(state().status).toBe(1);
    expect(await sh('grep -E "(" run')).toEqual(["!grep: Unmatched ( or \\("]);
    expect(await sh('grep "(" run')).toEqual([]);
    expect(await sh("grep -s . nope run")).toEqual(["run:1"]);
  });

  it("reads a pipe", async () => {
    const { sh } = machine();
    expect(await sh("cat run pages_to_scan | grep 2")).toEqual(["200"]);
    expect(await sh("grep . * | grep -v ':0$' | grep -c .")).toEqual(["4"]);
  });
});

describe("ls", () => {
  // As GNU ls 9.1 prints these names on a terminal (tabs expanded).
  it("lists the directory in columns like GNU ls on an 80-column terminal", async () => {
    const old = machine("linux-2.6.32");
    expect(await old.sh("ls")).toEqual([
      "full_scans        pages_sharing   pages_volatile",
      "max_kernel_pages  pages_to_scan   run",
      "pages_shared      pages_unshared  sleep_millisecs",
    ]);
    expect(await old.sh("ls -a")).toEqual([
      ".           max_kernel_pages  pages_to_scan   run",
      "..          pages_shared      pages_unshared  sleep_millisecs",
      "full_scans  pages_sharing     pages_volatile",
    ]);
    expect(await old.sh("ls", { columns: 40 })).toEqual([
      "full_scans        pages_unshared",
      "max_kernel_pages  pages_volatile",
      "pages_shared      run",
      "pages_sharing     sleep_millisecs",
      "pages_to_scan",
    ]);
    // As `ls -C -w 80 /sys/kernel/mm/ksm` printed it on a 6.18 kernel (tabs as spaces).
    expect(await machine("linux-6.18").sh("ls /sys/kernel/mm/ksm")).toEqual([
      "advisor_max_cpu            pages_sharing",
      "advisor_max_pages_to_scan  pages_skipped",
      "advisor_min_pages_to_scan  pages_to_scan",
      "advisor_mode               pages_unshared",
      "advisor_target_scan_time   pages_volatile",
      "full_scans                 run",
      "general_profit             sleep_millisecs",
      "ksm_zero_pages             smart_scan",
      "max_page_sharing           stable_node_chains",
      "merge_across_nodes         stable_node_chains_prune_millisecs",
      "pages_scanned              stable_node_dups",
      "pages_shared               use_zero_pages",
    ]);
    expect(await machine("linux-6.18").sh("ls -1")).toEqual(FILES_6_18);
  });

  it("matches real ls's layout of a 6.18 /sys/kernel/mm/ksm at 80 and 120 columns", () => {
    const real = [
      "advisor_max_cpu",
      "advisor_max_pages_to_scan",
      "advisor_min_pages_to_scan",
      "advisor_mode",
      "advisor_target_scan_time",
      "full_scans",
      "general_profit",
      "ksm_zero_pages",
      "max_page_sharing",
      "merge_across_nodes",
      "pages_scanned",
      "pages_shared",
      "pages_sharing",
      "pages_skipped",
      "pages_to_scan",
      "pages_unshared",
      "pages_volatile",
      "run",
      "sleep_millisecs",
      "smart_scan",
      "stable_node_chains",
      "stable_node_chains_prune_millisecs",
      "stable_node_dups",
      "use_zero_pages",
    ];
    expect(columns(real, 80)[0]).toBe("advisor_max_cpu            pages_sharing");
    expect(columns(real, 80)).toHaveLength(12);
    expect(columns(real, 60)).toHaveLength(24);
    expect(columns(real, 120)).toEqual([
      "advisor_max_cpu            full_scans          pages_scanned  pages_unshared   stable_node_chains",
      "advisor_max_pages_to_scan  general_profit      pages_shared   pages_volatile   stable_node_chains_prune_millisecs",
      "advisor_min_pages_to_scan  ksm_zero_pages      pages_sharing  run              stable_node_dups",
      "advisor_mode               max_page_sharing    pages_skipped  sleep_millisecs  use_zero_pages",
      "advisor_target_scan_time   merge_across_nodes  pages_to_scan  smart_scan",
    ]);
  });

  it("-l shows modes: rw knobs, read-only counters", async () => {
    const out = await machine("linux-6.18").sh("ls -l");
    expect(out[0]).toBe("total 0");
    expect(out).toContain("-r--r--r-- 1 root root 4096 Nov 25 17:38 full_scans");
    expect(out).toContain("-rw-r--r-- 1 root root 4096 Nov 25 17:38 run");
    expect(out).toContain("-rw-r--r-- 1 root root 4096 Nov 25 17:38 smart_scan");
    expect(out).toContain("-r--r--r-- 1 root root 4096 Nov 25 17:38 general_profit");
    expect(out).toHaveLength(25); // "total 0" and the 24 files
    expect(await machine().sh("ls -l run")).toEqual(["-rw-r--r-- 1 root root 4096 Nov 25 17:38 run"]);
    expect((await machine().sh("ls -la"))[1]).toBe("drwxr-xr-x 2 root root    0 Nov 25 17:38 .");
  });

  it("files, missing operands and directories, as GNU ls orders them", async () => {
    const { sh, state } = machine();
    expect(await sh("ls nope")).toEqual(["!ls: cannot access 'nope': No such file or directory"]);
    expect(state().status).toBe(2);
    expect(await sh("ls run nope")).toEqual(["!ls: cannot access 'nope': No such file or directory", "run"]);
    expect(await sh("ls /sys/kernel/mm/ksm/run /sys/kernel")).toEqual([
      "/sys/kernel/mm/ksm/run",
      "",
      "/sys/kernel:",
      "mm",
    ]);
    expect(await sh("ls /")).toEqual(["dev  root  sys"]);
    expect(await sh("ls -d /sys /sys/kernel")).toEqual(["/sys  /sys/kernel"]);
    expect(await sh("ls -z")).toEqual([
      "!ls: invalid option -- 'z'",
      "!Try 'ls --help' for more information.",
    ]);
  });
});

describe("cd and pwd", () => {
  it("moves around; relative paths and globs follow", async () => {
    const { sh, state } = machine();
    expect(await sh("pwd")).toEqual([KSM_DIR]);
    expect(await sh("cd ..; pwd; ls")).toEqual(["/sys/kernel/mm", "ksm"]);
    expect(await sh("cat ksm/run; grep . ksm/r*")).toEqual(["1", "1"]);
    expect(await sh("cd ksm && cat run")).toEqual(["1"]);
    expect(await sh("cd; pwd")).toEqual(["/root"]);
    expect(await sh("cd -")).toEqual([KSM_DIR]);
    expect(state()).toMatchObject({ cwd: KSM_DIR, oldpwd: "/root" });
    expect(await sh("cd /; cd sys/kernel/mm/ksm; echo 0 > run; cat run")).toEqual(["0"]);
  });

  it("errors as bash's cd builtin", async () => {
    const { sh, state } = machine();
    expect(await sh("cd nope")).toEqual(["!bash: cd: nope: No such file or directory"]);
    expect(await sh("cd run")).toEqual(["!bash: cd: run: Not a directory"]);
    expect(await sh("cd a b")).toEqual(["!bash: cd: too many arguments"]);
    expect(state().cwd).toBe(KSM_DIR);
    expect(await sh("cd -")).toEqual(["!bash: cd: OLDPWD not set"]);
  });
});

describe("the shell", () => {
  it("command not found, and paths that are not programs", async () => {
    const { sh, state } = machine();
    expect(await sh("foo")).toEqual(["!bash: foo: command not found"]);
    expect(state().status).toBe(127);
    expect(await sh("foo bar; echo $?")).toEqual(["!bash: foo: command not found", "127"]);
    expect(await sh("./run")).toEqual(["!bash: ./run: Permission denied"]);
    expect(await sh("./nope")).toEqual(["!bash: ./nope: No such file or directory"]);
    expect(await sh("/sys")).toEqual(["!bash: /sys: Is a directory"]);
  });

  it("syntax errors, as interactive bash prints them", async () => {
    const { sh, writes } = machine();
    expect(await sh("echo 1 >")).toEqual(["!bash: syntax error near unexpected token `newline'"]);
    expect(await sh("; ls")).toEqual(["!bash: syntax error near unexpected token `;'"]);
    expect(await sh("echo 1 > > run")).toEqual(["!bash: syntax error near unexpected token `>'"]);
    expect(await sh("echo 1 &&")).toEqual(["!bash: syntax error: unexpected end of file"]);
    expect(await sh('echo "20 > run')).toEqual(["!bash: unexpected EOF while looking for matching `\"'"]);
    expect(await sh("cat < run")).toEqual(["!ksm console: '<' is not supported here"]);
    expect(writes).toEqual([]);
  });

  it("&& and || follow the exit status", async () => {
    const { sh } = machine();
    expect(await sh("echo 9 > run && echo ok || echo failed")).toEqual([
      "!bash: echo: write error: Invalid argument",
      "failed",
    ]);
    expect(await sh("true && echo yes; false || echo no")).toEqual(["yes", "no"]);
  });

  it("2> and /dev/null take stderr; cat and grep report their own write errors", async () => {
    const { sh } = machine();
    expect(await sh("cat nope 2>/dev/null; echo $?")).toEqual(["1"]);
    expect(await sh("echo abc | cat > run")).toEqual(["!cat: write error: Invalid argument"]);
    expect(await sh("echo abc | grep . > run")).toEqual(["!grep: write error: Invalid argument"]);
    expect(await sh("ls nope > run")).toEqual(["!ls: cannot access 'nope': No such file or directory"]);
    expect(await sh("echo 2 > /dev/null")).toEqual([]);
  });

  it("clear, help and history", async () => {
    const { sys } = machine();
    const r = await runLine("echo a; clear; echo b", sys, INITIAL_STATE);
    expect(r.clear).toBe(true);
    expect(r.lines).toEqual([{ text: "b", error: false }]);
    const { sh } = machine();
    expect((await sh("help")).join("\n")).toMatch(/echo .*> FILE/);
    expect(await sh("history", { history: ["ls", "history"] })).toEqual(["    1  ls", "    2  history"]);
    expect(await sh("")).toEqual([]);
    expect(await sh("   ")).toEqual([]);
  });

  it("joins output written without a newline to what follows", async () => {
    const { sh } = machine();
    expect(await sh("echo -n x; cat run")).toEqual(["x1"]);
    expect(await sh("echo -n x; cat nope")).toEqual(["!xcat: nope: No such file or directory"]);
  });
});
