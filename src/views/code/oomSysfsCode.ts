import { code, KSM, type Old, OOM, type Pseudo } from "./listing";

/* Pseudo-code of out of memory and /sys/kernel/mm/ksm (see pseudocode.ts). */

/* ---------------- out of memory ---------------- */

export function outOfMemory(old: Old): Pseudo {
  return old
    ? code(
        "out_of_memory",
        OOM,
        `
retry:
p = select_bad_process(&points, NULL):   /* the most badness() points */
    if (p->flags & PF_OOM_ORIGIN) points = ULONG_MAX; /* run's writer */ @origin
    else points = total_vm + half each child's;  /* KSM sharing uncounted */
if (PTR_ERR(p) == -1UL) return;
if (!p) {                               /* Found nothing?!?! */
    panic("Out of memory and no killable processes..."); @none
}                          /* (the simulation fails the allocation) */
if (oom_kill_process(p, gfp_mask, order, points, NULL, "Out of memory"))
    goto retry;
`,
      )
    : code(
        "out_of_memory",
        OOM,
        `
select_bad_process(oc):                  /* the most oom_badness() points */
    if (oom_task_origin(task)) points = LONG_MAX;    /* run's writer */ @origin
    else points = RSS + swap entries + page tables;  /* no total_vm */
if (!oc->chosen) {                      /* Found nothing?!?! */
    dump_header(oc);
    pr_warn("Out of memory and no killable processes...");
    panic("System is deadlocked on memory"); @none
}                          /* (the simulation fails the allocation) */
if (oc->chosen && oc->chosen != (void *)-1UL)
    oom_kill_process(oc, "Out of memory");
return !!oc->chosen;
`,
      );
}

export function oomKillProcess(old: Old): Pseudo {
  return old
    ? code(
        "oom_kill_process",
        OOM,
        `
if (p->flags & PF_EXITING) {            /* already dying: let it go */
    __oom_kill_task(p, 0);  return 0;
}
printk(KERN_ERR "%s: kill process %d (%s) score %li or a child", ...);
/* (2.6.32 first tries one of p's children; the simulation kills p) */
return oom_kill_task(p):
    force_sig(SIGKILL, p);      /* p exits: exit_mmap(), ksm_exit() */ @kill
`,
      )
    : code(
        "oom_kill_process",
        OOM,
        `
if (task_will_free_mem(victim)) {       /* already dying: let it go */
    mark_oom_victim(victim);  queue_oom_reaper(victim);  return;
}
dump_header(oc);
__oom_kill_process(victim, message):
    do_send_sig_info(SIGKILL, SEND_SIG_PRIV, victim, PIDTYPE_TGID); @kill
    mark_oom_victim(victim);
    pr_err("%s: Killed process %d (%s) total-vm:%lukB ...", ...);
    queue_oom_reaper(victim);   /* p exits: exit_mmap(), ksm_exit() */
`,
      );
}

/* ---------------- /sys/kernel/mm/ksm ---------------- */

/** How a store method parses its number: 2.6.32's strict_strtoul(), 6.18's kstrtouint(). */
export function parse(old: Old, into: string, uint: boolean): string {
  return old
    ? `err = strict_strtoul(buf, 10, &${into});    /* digits, one newline */
if (err${uint ? ` || ${into} > UINT_MAX` : ""}) return -EINVAL; @einval`
    : `err = kstrtouint(buf, 10, &${into});       /* also a leading '+' */
if (err) return -EINVAL;                    /* also on overflow */ @einval`;
}

/** A number knob's store; `guard` is a refusal before the number is read, `wake` what follows the write. */
export function knobStore(
  old: Old,
  file: string,
  local: string,
  variable: string,
  { wake, guard }: { wake?: string; guard?: string } = {},
): Pseudo {
  return code(
    `${file}_store`,
    KSM,
    `
/* echo N > /sys/kernel/mm/ksm/${file} */${guard ? `\n${guard}` : ""}
${parse(old, local, file !== "max_kernel_pages")}
${variable} = ${local}; @set${wake ? `\n${wake}` : ""}
return count;
`,
  );
}

export function runStore(old: Old): Pseudo {
  const [origin, noOrigin] = old
    ? ["current->flags |= PF_OOM_ORIGIN;", "current->flags &= ~PF_OOM_ORIGIN;"]
    : ["set_current_oom_origin();", "clear_current_oom_origin();"];
  return code(
    "run_store",
    KSM,
    `
${parse(old, "flags", true)}
if (flags > KSM_RUN_UNMERGE) return -EINVAL;      /* only 0, 1, 2 */ @range
if (ksm_run != flags) {                 /* under ksm_thread_mutex */
    ksm_run = flags; @set
    if (flags & KSM_RUN_UNMERGE) {
        ${origin}    /* the OOM killer's first pick */
        err = unmerge_and_remove_all_rmap_items(); @unmerge
        ${noOrigin}
        if (err) { ksm_run = KSM_RUN_STOP;  count = err; } @failed
    }
}
if (flags & KSM_RUN_MERGE)
    wake_up_interruptible(&ksm_thread_wait);      /* ksmd runs */ @wake
return count;
`,
  );
}

export function sysfsOpen(old: Old): Pseudo {
  return code(
    old ? "sysfs_open_file" : "kernfs_fop_open",
    old ? "fs/sysfs/file.c" : "fs/kernfs/file.c",
    `
/* the shell opens /sys/kernel/mm/ksm/<file> with O_WRONLY | O_CREAT */
if (!file_exists)                     /* vfs_create(): sysfs makes no files */
    return -EACCES; @nofile
if (file->f_mode & FMODE_WRITE) {
    if (!(inode->i_mode & S_IWUGO) || !ops->${old ? "store" : "write"})  /* 0444 */
        return -EACCES;               /* a counter: read-only */ @readonly
}
return 0;                             /* then write() calls <file>_store() */
`,
  );
}
