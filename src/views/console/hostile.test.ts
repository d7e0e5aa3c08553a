import { describe, expect, it } from "vitest";
import { machine, PROTOTYPE_NAMES } from "./testing";

describe("names of JavaScript built-ins are names like any other", () => {
  it("as commands: bash: NAME: command not found, status 127", async () => {
    const { sh, state } = machine();
    for (const name of PROTOTYPE_NAMES) {
      expect(await sh(name), name).toEqual([`!bash: ${name}: command not found`]);
      expect(state().status).toBe(127);
      expect(await sh(`${name} run`), name).toEqual([`!bash: ${name}: command not found`]);
    }
  });

  it("as variables: unset, so empty", async () => {
    const { sh } = machine();
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's ${NAME}
    expect(await sh('echo $constructor $__proto__ ${toString}x "$valueOf"')).toEqual(["x "]);
    expect(await sh("$hasOwnProperty echo ok")).toEqual(["ok"]);
    expect(await sh('echo "[$constructor]"')).toEqual(["[]"]);
  });

  it("as files and directories: No such file or directory; sysfs creates none", async () => {
    const { sh, writes, state } = machine();
    expect(await sh("cat __proto__ constructor")).toEqual([
      "!cat: __proto__: No such file or directory",
      "!cat: constructor: No such file or directory",
    ]);
    expect(await sh("cd constructor")).toEqual(["!bash: cd: constructor: No such file or directory"]);
    expect(await sh("cd /__proto__")).toEqual(["!bash: cd: /__proto__: No such file or directory"]);
    expect(state().cwd).toBe("/sys/kernel/mm/ksm");
    expect(await sh("ls toString")).toEqual(["!ls: cannot access 'toString': No such file or directory"]);
    expect(await sh("grep . valueOf")).toEqual(["!grep: valueOf: No such file or directory"]);
    expect(await sh("echo 1 > __proto__")).toEqual(["!bash: __proto__: Permission denied"]);
    expect(await sh("./constructor")).toEqual(["!bash: ./constructor: No such file or directory"]);
    expect(writes).toEqual([]);
  });

  it("as an errno from the kernel side: printed as given", async () => {
    const { sh } = machine("linux-2.6.32", "constructor");
    expect(await sh("echo 1 > run")).toEqual(["!bash: echo: write error: constructor"]);
  });
});

/**
 * Not a speed test: a guard so that a regression shows as a failure, not a
 * stuck run. These lines take well under a second of CPU; two shared cores
 * under load can stretch that tenfold.
 */
const HANG = 60_000;

describe("every loop a line drives is bounded", () => {
  it("a line reads the file list once, however many names it expands, and again after a write", async () => {
    const { sh, reads } = machine();
    const out = await sh(`ls -l ${"* ".repeat(1000)}`);
    expect(out).toHaveLength(9000);
    expect(reads()).toBe(1);
    expect(await sh("echo 0 > run; cat run; cat r?n")).toEqual(["0", "0"]);
    expect(reads()).toBe(3);
  });

  it(
    "more than ARG_MAX (2 MiB) of arguments: execve's E2BIG, and nothing runs or is written",
    async () => {
      const { sh, state, writes } = machine();
      // 9 files of ~30 bytes a word: 2.3 MB.
      const stars = "/sys/kernel/mm/ksm/* ".repeat(8000);
      expect(await sh(`ls ${stars}`)).toEqual(["!bash: /usr/bin/ls: Argument list too long"]);
      expect(state().status).toBe(126);
      expect(await sh(`cat ${stars} > run`)).toEqual(["!bash: /usr/bin/cat: Argument list too long"]);
      expect(await sh(`ls ${stars} 2>/dev/null; echo $?`)).toEqual(["126"]);
      // Each * of / matches its three directories again: 3^31 names if nothing stopped it.
      expect(await sh(`echo /*${"/../*".repeat(30)}`)).toEqual(["!bash: echo: Argument list too long"]);
      expect(await sh(`foo ${stars}`)).toEqual(["!bash: foo: command not found"]);
      expect(writes).toEqual([]);
    },
    HANG,
  );

  it(
    "many operands to ls -l: every row, widths worked out once",
    async () => {
      const out = await machine().sh(`ls -l /dev/null ${"run ".repeat(20_000)}`);
      expect(out).toHaveLength(20_001);
      expect(out[0]).toBe("crw-rw-rw- 1 root root 1, 3 Nov 25 17:38 /dev/null");
      expect(out[20_000]).toBe("-rw-r--r-- 1 root root 4096 Nov 25 17:38 run");
    },
    HANG,
  );

  it(
    "a line of a megabyte returns, whole",
    async () => {
      const { sh } = machine();
      const mega = "a".repeat(1 << 20);
      expect(await sh(`echo ${mega}`)).toEqual([mega]);
      expect(await sh(`echo ${"$".repeat(1 << 20)}`)).toEqual(["$".repeat(1 << 20)]);
      expect((await sh(`echo ${"$HOME".repeat(200_000)}`))[0]).toHaveLength(5 * 200_000);
      expect(await sh(`ls ${"*a".repeat(1 << 19)}`)).toHaveLength(1);
      expect(await sh(`${"true;".repeat(20_000)}echo done`)).toEqual(["done"]);
      expect(await sh(`${"cat run|".repeat(20_000)}cat`)).toEqual(["1"]);
    },
    HANG,
  );

  it("history shows bash's last HISTSIZE (500) lines, numbered from the first", async () => {
    const history = Array.from({ length: 10_000 }, (_, i) => `echo ${i + 1}`);
    const out = await machine().sh("history", { history });
    expect(out).toHaveLength(500);
    expect(out[0]).toBe(" 9501  echo 9501");
    expect(out[499]).toBe("10000  echo 10000");
  });
});
