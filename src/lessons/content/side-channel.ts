import { defineLesson, fill, processWith, prose, scans, sysfs, unmergeable, write } from "../build";

/** The modelled write times (src/engine/writeCost.ts) as the probe prints them. */
const TIMES = ["0.15 µs", "1.6 µs", "2.8 µs"];

export const sideChannel = defineLesson({
  id: "side-channel",
  title: "17. The side channel: a write that takes too long",
  summary:
    "Guess a neighbour's page, let ksmd merge, write, read the time: a slow write means the guess was right.",
  profile: "linux-6.18",
  frames: 64,
  beats: [
    {
      say: prose`
        A write to a merged page takes a copy-on-write fault: \`do_wp_page()\` never reuses a KSM
        page, it allocates a frame and copies 4 KiB first. On this project's machine (6.18) a
        one-byte write to a KSM page took 2.8 µs (median), to an ordinary private page 0.15 µs.
        The simulation charges those times (the log prints each write's time).

        V, the victim, holds a secret page. A, the attacker, shares the machine and may guess: it
        fills one page with its guess "42", another with the guess "99", and waits for ksmd.`,
    },
    {
      steps: [
        ...processWith("V", "secret", [42]),
        ...processWith("A", "guess", [42, 99]),
        sysfs("run", 1),
        scans(3),
        write("A", "guess", 0, 1),
      ],
      ask: {
        prompt: "After three scans, A writes one byte to its page guessing 42. How long does the write take?",
        choices: TIMES,
        probe: { kind: "write-time" },
      },
      say: prose`
        2.8 µs: the write faulted and copied a KSM page. A's page was merged, so some other page on
        the machine holds exactly "42" — A has learned V's secret without reading V's memory. The
        counters are not needed: the time alone tells.`,
    },
    {
      steps: [write("A", "guess", 1, 1)],
      ask: {
        prompt: "A writes one byte to its page guessing 99. How long now?",
        choices: TIMES,
        probe: { kind: "write-time" },
      },
      say: prose`
        0.15 µs: a plain store, no fault. Nobody else holds "99", ksmd left the page in the
        unstable tree and writable, so the guess was wrong. Guess after guess, page by page, an
        attacker can test what its neighbours hold: which library versions, which files are open,
        even bits of a key when a page differs only in them.`,
    },
    {
      steps: [
        unmergeable("V", "secret", 1),
        fill("A", "guess", 0, 1, 42),
        scans(3),
        write("A", "guess", 0, 2),
      ],
      ask: {
        prompt:
          "Defence: V withdraws its secret from KSM (MADV_UNMERGEABLE). A guesses 42 again. The write takes…",
        choices: TIMES,
        probe: { kind: "write-time" },
      },
      say: prose`
        0.15 µs: V's page is no KSM page any more, so A's guess finds no twin. KSM has no notion of
        tenants: any two opted-in pages with equal contents merge, whoever owns them. The defences
        are therefore about who opts in. Merge only per process (or per tenant): opt in just the
        programs that trust each other — \`prctl(PR_SET_MEMORY_MERGE)\` in 6.18 turns KSM on for one
        process and its children, \`madvise(MADV_MERGEABLE)\` for one area — and never a tenant's
        memory on a machine shared with others.

        Clouds turned cross-VM sharing off after the published attacks: the 2011 memory
        deduplication timing attacks (Suzaki et al., "Memory deduplication as a threat to the guest
        OS", EuroSec 2011) detected programs in a neighbour VM by these write times; "Dedup Est
        Machina" (Bosman et al., IEEE S&P 2016) used them to leak pointers from a browser and break
        ASLR; "Flip Feng Shui" (Razavi et al., USENIX Security 2016) steered a merged page onto
        memory it could flip with Rowhammer, corrupting a co-hosted VM's keys.`,
    },
  ],
});
