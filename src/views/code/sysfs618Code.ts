import { code, KSM, type Old, type Pseudo, type Store618 } from "./listing";

/*
 * Pseudo-code of the store functions of the files 6.18's /sys/kernel/mm/ksm/
 * has and 2.6.32's has not (mm/ksm.c, CONFIG_SYSFS); see pseudocode.ts.
 * pages_to_scan, sleep_millisecs and run are in oomSysfsCode.ts.
 */

const header = (file: string, value = "N") => `/* echo ${value} > /sys/kernel/mm/ksm/${file} */`;

/** max_page_sharing_store(): the stable tree must be empty to change it (EBUSY). */
const MAX_PAGE_SHARING_STORE = code(
  "max_page_sharing_store",
  KSM,
  `
err = kstrtoint(buf, 10, &knob);
if (err) return err;          /* -EINVAL, or -ERANGE past an int */ @parse
if (knob < 2)                 /* a new KSM page has 2 mappings already */
    return -EINVAL; @min
if (READ_ONCE(ksm_max_page_sharing) == knob) return count;
mutex_lock(&ksm_thread_mutex);  wait_while_offlining();
if (ksm_max_page_sharing != knob) {
    if (ksm_pages_shared || remove_all_stable_nodes())
        err = -EBUSY;         /* KSM pages exist: echo 2 > run first */ @busy
    else
        ksm_max_page_sharing = knob;    /* for merges from now on */ @set
}
mutex_unlock(&ksm_thread_mutex);
return err ? err : count;
`,
);

/** merge_across_nodes_store() (CONFIG_NUMA): like max_page_sharing, only with an empty stable tree. */
const MERGE_ACROSS_NODES_STORE = code(
  "merge_across_nodes_store",
  KSM,
  `
err = kstrtoul(buf, 10, &knob);
if (err) return err; @parse
if (knob > 1) return -EINVAL; @range
mutex_lock(&ksm_thread_mutex);  wait_while_offlining();
if (ksm_merge_across_nodes != knob) {
    if (ksm_pages_shared || remove_all_stable_nodes())
        err = -EBUSY;         /* KSM pages exist: echo 2 > run first */ @busy
    else if (root_stable_tree == one_stable_tree)
        allocate a stable and an unstable root per node;  /* or -ENOMEM */
    if (!err) {
        ksm_merge_across_nodes = knob; @set
        ksm_nr_node_ids = knob ? 1 : nr_node_ids;  /* one node here */
    }
}
mutex_unlock(&ksm_thread_mutex);  return err ? err : count;
`,
);

/** A boolean knob: kstrtobool() reads the first character (or "on"/"off"). */
function boolStore(file: string, variable: string, reader: string): Pseudo {
  return code(
    `${file}_store`,
    KSM,
    `
${header(file, "1")}
err = kstrtobool(buf, &value);     /* y Y t T 1 on: true; n N f F 0 off */
if (err) return -EINVAL; @einval
${variable} = value; @set
return count;                      /* ${reader} */
`,
  );
}

const USE_ZERO_PAGES_STORE = boolStore(
  "use_zero_pages",
  "ksm_use_zero_pages",
  "read by try_to_merge_with_zero_page()",
);

const SMART_SCAN_STORE = boolStore("smart_scan", "ksm_smart_scan", "read by should_skip_rmap_item()");

const STABLE_NODE_CHAINS_PRUNE_MILLISECS_STORE = code(
  "stable_node_chains_prune_millisecs_store",
  KSM,
  `
${header("stable_node_chains_prune_millisecs")}
err = kstrtouint(buf, 10, &msecs);
if (err) return -EINVAL; @einval
ksm_stable_node_chains_prune_millisecs = msecs; @set
return count;     /* stable_node_dup() prunes a chain at most this often */
`,
);

const ADVISOR_MODE_STORE = code(
  "advisor_mode_store",
  KSM,
  `
${header("advisor_mode", "scan-time")}
enum ksm_advisor_type curr_advisor = ksm_advisor;
if (sysfs_streq("scan-time", buf)) ksm_advisor = KSM_ADVISOR_SCAN_TIME;
else if (sysfs_streq("none", buf)) ksm_advisor = KSM_ADVISOR_NONE;
else return -EINVAL;                  /* only those two words */ @einval
if (curr_advisor != ksm_advisor)
    set_advisor_defaults();  /* pages_to_scan: 100, or min_pages_to_scan */ @set
return count;
`,
);

/**
 * An unsigned long knob of the scan-time advisor: kstrtoul(), any error
 * EINVAL; `check` is a further refusal, `note` what the value does.
 */
function advisorStore(file: string, note: string, check = ""): Pseudo {
  return code(
    `${file}_store`,
    KSM,
    `
${header(file)}
err = kstrtoul(buf, 10, &value);
if (err) return -EINVAL; @einval${check ? `\n${check}` : ""}
ksm_${file} = value; @set
return count;              /* ${note} */
`,
  );
}

const ADVISOR_MAX_CPU_STORE = advisorStore("advisor_max_cpu", "an unsigned int: the low 32 bits; % of a CPU");
const ADVISOR_MIN_PAGES_TO_SCAN_STORE = advisorStore(
  "advisor_min_pages_to_scan",
  "the advisor's floor for pages_to_scan",
);
const ADVISOR_MAX_PAGES_TO_SCAN_STORE = advisorStore(
  "advisor_max_pages_to_scan",
  "the advisor's ceiling for pages_to_scan",
);
const ADVISOR_TARGET_SCAN_TIME_STORE = advisorStore(
  "advisor_target_scan_time",
  "seconds a full scan should take",
  "if (value < 1) return -EINVAL;          /* at least a second */ @min",
);

/** pages_to_scan_store()'s first check in 6.18: the advisor owns pages_to_scan. */
export const ADVISOR_GUARD = `if (ksm_advisor != KSM_ADVISOR_NONE)
    return -EINVAL;                   /* the advisor sets pages_to_scan */ @advisor`;

/** The 6.18 stores, by name; null in 2.6.32, which has none of these files. */
export function stores618(old: Old): Record<Store618, Pseudo | null> {
  const stores: Record<Store618, Pseudo> = {
    max_page_sharing_store: MAX_PAGE_SHARING_STORE,
    merge_across_nodes_store: MERGE_ACROSS_NODES_STORE,
    use_zero_pages_store: USE_ZERO_PAGES_STORE,
    smart_scan_store: SMART_SCAN_STORE,
    stable_node_chains_prune_millisecs_store: STABLE_NODE_CHAINS_PRUNE_MILLISECS_STORE,
    advisor_mode_store: ADVISOR_MODE_STORE,
    advisor_max_cpu_store: ADVISOR_MAX_CPU_STORE,
    advisor_min_pages_to_scan_store: ADVISOR_MIN_PAGES_TO_SCAN_STORE,
    advisor_max_pages_to_scan_store: ADVISOR_MAX_PAGES_TO_SCAN_STORE,
    advisor_target_scan_time_store: ADVISOR_TARGET_SCAN_TIME_STORE,
  };
  if (!old) return stores;
  return Object.fromEntries(Object.keys(stores).map((k) => [k, null])) as Record<Store618, null>;
}
