import { type KsmEvent, type MergeRefusal, PAGE_SIZE, type ProfileName, ZERO_PFN } from "../../engine";

/*
 * Short pseudo-code, written by us, of every kernel function an engine event
 * names, per kernel profile, and which of its lines an event is at. The
 * lines keep the kernel's order of decisions (and the engine's, which
 * follows it). Pure: no React, so it can be tested in node.
 *
 * A line ending in "@label" is one an event can point at; the label is
 * stripped from the text shown.
 */

/** The functions shown: mostly an event's `fn`, plus the few that an event's fields select. */
export type FnKey =
  | "ksm_do_scan"
  | "scan_get_next_rmap_item"
  | "get_next_rmap_item"
  | "remove_trailing_rmap_items"
  | "stable_tree_search"
  | "stable_tree_insert"
  | "remove_node_from_stable_tree"
  | "calc_checksum"
  | "unstable_tree_search_insert"
  | "try_to_merge_two_pages"
  | "try_to_merge_with_ksm_page"
  | "stable_tree_append"
  | "remove_rmap_item_from_tree"
  | "break_ksm"
  | "ksm_madvise"
  | "sys_madvise"
  | "__ksm_enter"
  | "__ksm_exit"
  | "unmerge_and_remove_all_rmap_items"
  | "do_anonymous_page"
  | "do_wp_page"
  | "do_mmap"
  | "do_munmap"
  | "do_fork"
  | "dup_mmap"
  | "out_of_memory"
  | "oom_kill_process"
  | "run_store"
  | "pages_to_scan_store"
  | "sleep_millisecs_store"
  | "max_kernel_pages_store"
  | "sysfs_open";

export interface Pseudo {
  /** The function's name in this kernel (a few were renamed by 6.18). */
  name: string;
  /** Its source file in the kernel tree. */
  file: string;
  lines: readonly string[];
  /** Line index of each label. */
  labels: Readonly<Record<string, number>>;
}

const LABEL = /\s+@([a-z][a-z-]*)$/;

/** Parse a block: drop the blank first and last lines, dedent, pull out the labels. */
function code(name: string, file: string, text: string): Pseudo {
  const raw = text
    .replace(/^\n/, "")
    .replace(/\n\s*$/, "")
    .split("\n");
  const indent = Math.min(...raw.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  const labels: Record<string, number> = {};
  const lines = raw.map((l, i) => {
    const m = LABEL.exec(l);
    if (m) labels[m[1]] = i;
    return (m ? l.slice(0, m.index) : l).slice(indent).trimEnd();
  });
  return { name, file, lines, labels };
}

type Table = Record<FnKey, Pseudo | null>;
type Old = boolean; // true for linux-2.6.32

const KSM = "mm/ksm.c";
const MEMORY = "mm/memory.c";
const OOM = "mm/oom_kill.c";
const FORK = "kernel/fork.c";

/* ---------------- ksmd's scan ---------------- */

function ksmDoScan(old: Old): Pseudo {
  const body = old
    ? `
    if (!PageKsm(page) || !in_stable_tree(rmap_item))
        cmp_and_merge_page(page, rmap_item);
    else if (page_mapcount(page) == 1) {       /* left unshared: */
        break_cow(rmap_item->mm, rmap_item->address);
        remove_rmap_item_from_tree(rmap_item);
        rmap_item->oldchecksum = calc_checksum(page);
    }
    put_page(page);`
    : `
    cmp_and_merge_page(page, rmap_item);       /* KSM pages too */
    put_page(page);
    ksm_pages_scanned++;`;
  return code(
    "ksm_do_scan",
    KSM,
    `
while (scan_npages--${old ? "" : " && likely(!freezing(current))"}) {
    cond_resched();
    rmap_item = scan_get_next_rmap_item(&page);
    if (!rmap_item)
        return;                    /* a full scan ended: stop early */ @end${body}
}
/* back in ksm_scan_thread(): sleep sleep_millisecs, scan again */ @sleep
`,
  );
}

function scanGetNextRmapItem(old: Old): Pseudo {
  const cursor = old ? "mm_slot, ksm_scan.rmap_item" : "ksm_scan.rmap_list";
  return code(
    "scan_get_next_rmap_item",
    KSM,
    `
if (ksm_scan.mm_slot == &ksm_mm_head) {      /* a new full scan: */
    root_unstable_tree = RB_ROOT;             /* unstable tree emptied */ @start
    ksm_scan.mm_slot = first mm_slot;
}
next_mm:
for (each VM_MERGEABLE vma of mm, from ksm_scan.address)
    for (; ksm_scan.address < vma->vm_end; ksm_scan.address += PAGE_SIZE)
        if ((*page = follow_page(vma, ksm_scan.address)) && PageAnon(*page))
            return get_next_rmap_item(mm_slot, ksm_scan.address); @visit
remove_trailing_rmap_items(${cursor});   /* none above */
ksm_scan.mm_slot = next mm_slot;
if (ksm_scan.address == 0)            /* exiting, or nothing mergeable */
    remove mm_slot from the lists, free it, clear MMF_VM_MERGEABLE; @removed
if (ksm_scan.mm_slot != &ksm_mm_head) goto next_mm;
ksm_scan.seqnr++;  return NULL;           /* full_scans++ */ @end
`,
  );
}

const GET_NEXT_RMAP_ITEM_2632 = code(
  "get_next_rmap_item",
  KSM,
  `
while (cur != &mm_slot->rmap_list) {
    rmap_item = list_entry(cur, struct rmap_item, link);
    if ((rmap_item->address & PAGE_MASK) == addr) {
        if (!in_stable_tree(rmap_item))
            remove_rmap_item_from_tree(rmap_item);  /* search again */
        return rmap_item;                  /* reuse it */
    }
    if (rmap_item->address > addr)
        break;
    cur = cur->next;               /* below addr: its page has gone */
    remove_rmap_item_from_tree(rmap_item);
    list_del(&rmap_item->link);
    free_rmap_item(rmap_item);             /* ksm_rmap_items-- */ @free
}
return a new rmap_item for addr (oldchecksum 0), linked before cur;
`,
);

const GET_NEXT_RMAP_ITEM_618 = code(
  "get_next_rmap_item",
  KSM,
  `
while (*rmap_list) {
    rmap_item = *rmap_list;
    if ((rmap_item->address & PAGE_MASK) == addr)
        return rmap_item;          /* reuse it, still in its tree */
    if (rmap_item->address > addr)
        break;
    *rmap_list = rmap_item->rmap_list;  /* below addr: page gone */
    remove_rmap_item_from_tree(rmap_item);
    free_rmap_item(rmap_item);             /* ksm_rmap_items-- */ @free
}
rmap_item = alloc_rmap_item();             /* zeroed: oldchecksum 0 */
rmap_item->mm = mm_slot->slot.mm;  rmap_item->address = addr;
rmap_item->rmap_list = *rmap_list;  *rmap_list = rmap_item;
return rmap_item;
`,
);

function removeTrailingRmapItems(old: Old): Pseudo {
  const walk = old
    ? `
while (cur != &mm_slot->rmap_list) {
    rmap_item = list_entry(cur, struct rmap_item, link);
    cur = cur->next;
    remove_rmap_item_from_tree(rmap_item);
    list_del(&rmap_item->link);`
    : `
while (*rmap_list) {
    rmap_item = *rmap_list;
    *rmap_list = rmap_item->rmap_list;
    remove_rmap_item_from_tree(rmap_item);`;
  return code(
    "remove_trailing_rmap_items",
    KSM,
    `
/* free the rmap_items from here on: no mergeable page is there now */${walk}
    free_rmap_item(rmap_item);             /* ksm_rmap_items-- */ @free
}
`,
  );
}

/* ---------------- the stable tree ---------------- */

const STABLE_TREE_SEARCH_2632 = code(
  "stable_tree_search",
  KSM,
  `
node = root_stable_tree.rb_node;
while (node) {
    tree_rmap_item = rb_entry(node, struct rmap_item, node);
    while (tree_rmap_item && !(page2[0] = get_ksm_page(tree_rmap_item))) {
        next_rmap_item = tree_rmap_item->next;   /* lost its KSM page: */
        remove_rmap_item_from_tree(tree_rmap_item);  /* next replaces */ @prune
        tree_rmap_item = next_rmap_item;
    }
    if (!tree_rmap_item) return NULL;      /* the whole chain was stale */
    ret = memcmp_pages(page, page2[0]);
    if (ret < 0) node = node->rb_left;
    else if (ret > 0) node = node->rb_right;
    else return tree_rmap_item;            /* same contents: merge */ @found
}
return NULL;                               /* no KSM page has them */ @none
`,
);

const STABLE_TREE_SEARCH_618 = code(
  "stable_tree_search",
  KSM,
  `
if (folio_stable_node(folio))
    return folio;                  /* ksm page forked: its own match */ @forked
again:
node = root_stable_tree.rb_node;
while (node) {
    tree_folio = chain_prune(&stable_node_dup, &stable_node, root);
    if (!tree_folio)          /* ksm_get_folio() removed a stale node: */
        goto again;           /* the tree may have been rebalanced */ @stale
    ret = memcmp_pages(page, &tree_folio->page);
    if (ret < 0) node = node->rb_left;
    else if (ret > 0) node = node->rb_right;
    else return tree_folio;                /* same contents: merge */ @found
}
return NULL;                               /* no KSM page has them */ @none
`,
);

const STABLE_TREE_INSERT_2632 = code(
  "stable_tree_insert",
  KSM,
  `
while (*new) {
    tree_rmap_item = rb_entry(*new, struct rmap_item, node);
    while (tree_rmap_item && !(page2[0] = get_ksm_page(tree_rmap_item)))
        tree_rmap_item = prune(tree_rmap_item);  /* as the search does */ @prune
    if (!tree_rmap_item) return NULL;      /* the whole chain was stale */ @gone
    ret = memcmp_pages(page, page2[0]);
    parent = *new;
    if (ret < 0) new = &parent->rb_left;
    else if (ret > 0) new = &parent->rb_right;
    else return NULL;     /* equal: not a bug, page changed since search */ @equal
}
rmap_item->address |= NODE_FLAG | STABLE_FLAG;  rmap_item->next = NULL;
rb_link_node(&rmap_item->node, parent, new);
rb_insert_color(&rmap_item->node, &root_stable_tree); @inserted
ksm_pages_shared++;  return rmap_item;
`,
);

const STABLE_TREE_INSERT_618 = code(
  "stable_tree_insert",
  KSM,
  `
again:
parent = NULL;  new = &root->rb_node;
while (*new) {
    tree_folio = chain(&stable_node_dup, stable_node, root);
    if (!tree_folio) goto again;           /* a stale node was removed */
    ret = memcmp_pages(&kfolio->page, &tree_folio->page);
    parent = *new;
    if (ret < 0) new = &parent->rb_left;
    else if (ret > 0) new = &parent->rb_right;
    else return NULL;       /* equal: no chains of duplicates here */ @equal
}
stable_node_dup = alloc_stable_node();  stable_node_dup->kpfn = kpfn;
folio_set_stable_node(kfolio, stable_node_dup);
rb_link_node(&stable_node_dup->node, parent, new);
rb_insert_color(&stable_node_dup->node, root);  return stable_node_dup; @inserted
`,
);

const REMOVE_NODE_FROM_STABLE_TREE = code(
  "remove_node_from_stable_tree",
  KSM,
  `
/* ksm_get_folio() found the node's KSM page gone: drop the whole node */
hlist_for_each_entry(rmap_item, &stable_node->hlist, hlist) {
    if (rmap_item->hlist.next) ksm_pages_sharing--;
    else ksm_pages_shared--;
    stable_node->rmap_hlist_len--;
    rmap_item->address &= PAGE_MASK;       /* out of the stable tree */
}
rb_erase(&stable_node->node, root_stable_tree); @erase
free_stable_node(stable_node);
`,
);

function stableTreeAppend(old: Old): Pseudo {
  return old
    ? code(
        "stable_tree_append",
        KSM,
        `
/* chain rmap_item just after the node, tree_rmap_item */
rmap_item->next = tree_rmap_item->next;
rmap_item->prev = tree_rmap_item;
if (tree_rmap_item->next)
    tree_rmap_item->next->prev = rmap_item;
tree_rmap_item->next = rmap_item; @append
rmap_item->address |= STABLE_FLAG;
ksm_pages_sharing++;                       /* one more page saved */
`,
      )
    : code(
        "stable_tree_append",
        KSM,
        `
stable_node->rmap_hlist_len++;
rmap_item->head = stable_node;
rmap_item->address |= STABLE_FLAG;
hlist_add_head(&rmap_item->hlist, &stable_node->hlist);  /* newest first */ @append
if (rmap_item->hlist.next)
    ksm_pages_sharing++;                   /* one more page saved */
else
    ksm_pages_shared++;                    /* the node's first item */
`,
      );
}

/* ---------------- checksums and the unstable tree ---------------- */

function calcChecksum(old: Old): Pseudo {
  const [map, hash, unmap] = old
    ? ["kmap_atomic(page, KM_USER0)", "jhash2(addr, PAGE_SIZE / 4, 17)", "kunmap_atomic(addr, KM_USER0)"]
    : ["kmap_local_page(page)", "xxhash(addr, PAGE_SIZE, 0)", "kunmap_local(addr)"];
  const caller = old
    ? "/* cmp_and_merge_page(), when the stable tree had no match: */"
    : "/* cmp_and_merge_page(), first, unless page is a KSM page: */\nremove_rmap_item_from_tree(rmap_item);";
  const next = old
    ? "tree_rmap_item = unstable_tree_search_insert(rmap_item, page, &tree_page);"
    : "kfolio = stable_tree_search(page);";
  return code(
    "calc_checksum",
    KSM,
    `
addr = ${map};
checksum = ${hash};   /* simulated: xxh32, seed 17 */
${unmap};
return checksum;
${caller}
if (rmap_item->oldchecksum != checksum) {  /* changed since last scan */
    rmap_item->oldchecksum = checksum;
    return;                        /* volatile: not worth a search */ @volatile
}
${next} @steady
`,
  );
}

function unstableTreeSearchInsert(old: Old): Pseudo {
  const flag = old ? "NODE_FLAG" : "UNSTABLE_FLAG";
  return code(
    "unstable_tree_search_insert",
    KSM,
    `
while (*new) {
    tree_rmap_item = rb_entry(*new, struct ${old ? "" : "ksm_"}rmap_item, node);
    tree_page = get_mergeable_page(tree_rmap_item);
    if (!tree_page) return NULL;           /* its page has gone: give up */ @gone
    if (page == tree_page) return NULL;    /* forked: no merge with itself */ @same
    ret = memcmp_pages(page, tree_page);
    parent = *new;
    if (ret < 0) new = &parent->rb_left;
    else if (ret > 0) new = &parent->rb_right;
    else return tree_rmap_item;            /* same contents: merge */ @match
}
rmap_item->address |= ${flag} | (ksm_scan.seqnr & SEQNR_MASK);
rb_link_node(&rmap_item->node, parent, new);
rb_insert_color(&rmap_item->node, &root_unstable_tree);  /* no twin yet */ @inserted
ksm_pages_unshared++;  return NULL;
`,
  );
}

/* ---------------- merging ---------------- */

const TRY_TO_MERGE_TWO_PAGES_2632 = code(
  "try_to_merge_two_pages",
  KSM,
  `
if (ksm_max_kernel_pages && ksm_max_kernel_pages <= ksm_pages_shared)
    return err;                           /* max_kernel_pages reached */ @max
kpage = alloc_page(GFP_HIGHUSER);         /* a new frame for the KSM page */
if (!kpage) return err;                   /* out of memory */ @nomem
vma = find_vma(mm1, addr1);  if (!vma || vma->vm_start > addr1) goto out;
copy_user_highpage(kpage, page1, addr1, vma);
err = try_to_merge_one_page(vma, page1, kpage);     /* page1's pte */
if (!err) {
    err = try_to_merge_with_ksm_page(mm2, addr2, page2, kpage); @ok
    if (err)                      /* only one pte maps kpage: */
        break_cow(mm1, addr1);        /* undo the first merge */
}
out: put_page(kpage);
return err;                    /* -EFAULT: a page changed or went away */ @failed
`,
);

const TRY_TO_MERGE_TWO_PAGES_618 = code(
  "try_to_merge_two_pages",
  KSM,
  `
/* no new frame: page itself becomes the KSM page, write-protected */
err = try_to_merge_with_ksm_page(rmap_item, page, NULL);
if (!err) {
    err = try_to_merge_with_ksm_page(tree_rmap_item, tree_page, page); @ok
    if (err)                      /* only one pte maps the KSM page: */
        break_cow(rmap_item);         /* undo the first merge */
}
return err ? NULL : page;      /* NULL: a page changed or went away */ @failed
`,
);

/** The line of try_to_merge_two_pages() each typed refusal stops at. */
const REFUSAL_LABEL: Record<MergeRefusal, string> = {
  "max_kernel_pages reached": "max",
  "out of memory": "nomem",
};

const MERGE_FAILED = "return err;                    /* -EFAULT: it changed or went away */ @failed";

const TRY_TO_MERGE_WITH_KSM_PAGE_2632 = code(
  "try_to_merge_with_ksm_page",
  KSM,
  `
down_read(&mm1->mmap_sem);
if (ksm_test_exit(mm1)) goto out;                 /* the mm is exiting */
vma = find_vma(mm1, addr1);
if (!vma || vma->vm_start > addr1) goto out;      /* the area has gone */
err = try_to_merge_one_page(vma, page1, kpage):
    if (write_protect_page(vma, page1, &orig_pte) == 0 &&  /* read-only */
        pages_identical(page1, kpage))                     /* still equal */
        err = replace_page(vma, page1, kpage, orig_pte);   /* pte: kpage */ @ok
out: up_read(&mm1->mmap_sem);
${MERGE_FAILED}
`,
);

const TRY_TO_MERGE_WITH_KSM_PAGE_618 = code(
  "try_to_merge_with_ksm_page",
  KSM,
  `
mmap_read_lock(mm);
vma = find_mergeable_vma(mm, rmap_item->address);
if (!vma) goto out;                      /* exiting, or the area has gone */
err = try_to_merge_one_page(vma, page, kpage):
    if (write_protect_page(vma, folio, &orig_pte) == 0) {  /* read-only */
        if (!kpage) folio_set_stable_node(folio, NULL); /* becomes KSM */
        else if (pages_identical(page, kpage))          /* still equal */
            err = replace_page(vma, page, kpage, orig_pte); /* pte: kpage */ @ok
    }
if (err) goto out;
remove_rmap_item_from_tree(rmap_item);  /* its unstable fields go */
rmap_item->anon_vma = vma->anon_vma;
out: mmap_read_unlock(mm);
${MERGE_FAILED}
`,
);

const REMOVE_RMAP_ITEM_FROM_TREE_2632 = code(
  "remove_rmap_item_from_tree",
  KSM,
  `
if (rmap_item->address & STABLE_FLAG) {
    if (rmap_item->address & NODE_FLAG) {         /* the tree's node */
        if (next_item)               /* the next sharer becomes the node */
            rb_replace_node(rmap_item, next_item), ksm_pages_sharing--; @promote
        else
            rb_erase(rmap_item, &root_stable_tree), ksm_pages_shared--; @erase
    } else {                                 /* in the chain: unlink it */
        prev_item->next = next_item;  ksm_pages_sharing--; @unlink
    }
} else if (rmap_item->address & NODE_FLAG) {  /* in the unstable tree */
    if (this scan inserted it)                /* age 0: still linked */
        rb_erase(&rmap_item->node, &root_unstable_tree); @unstable-erase
    ksm_pages_unshared--;      /* else the tree was emptied at scan start */ @unstable-skip
}
rmap_item->address &= PAGE_MASK;   /* (next = NULL zeroes oldchecksum) */
`,
);

const REMOVE_RMAP_ITEM_FROM_TREE_618 = code(
  "remove_rmap_item_from_tree",
  KSM,
  `
if (rmap_item->address & STABLE_FLAG) {
    stable_node = rmap_item->head;
    folio = ksm_get_folio(stable_node, KSM_GET_FOLIO_LOCK);
    if (!folio) goto out;             /* stale: the whole node went */
    hlist_del(&rmap_item->hlist); @unlink
    if (!hlist_empty(&stable_node->hlist)) ksm_pages_sharing--;
    else ksm_pages_shared--;          /* the KSM page stays, unshared */
    stable_node->rmap_hlist_len--;
} else if (rmap_item->address & UNSTABLE_FLAG) {
    if (this scan inserted it)                /* age 0: still linked */
        rb_erase(&rmap_item->node, root_unstable_tree); @unstable-erase
    ksm_pages_unshared--;      /* else the tree was emptied at scan start */ @unstable-skip
}
out: rmap_item->address &= PAGE_MASK;
`,
);

function breakKsm(old: Old): Pseudo {
  const body = old
    ? `
    page = follow_page(vma, addr, FOLL_GET);
    if (!page)
        break;
    if (PageKsm(page))               /* a write fault: do_wp_page() copies */
        ret = handle_mm_fault(vma->vm_mm, vma, addr, FAULT_FLAG_WRITE); @fault
    else
        ret = VM_FAULT_WRITE;        /* no longer a KSM page: done */
    put_page(page);
} while (!(ret & (VM_FAULT_WRITE | VM_FAULT_SIGBUS | VM_FAULT_OOM)));`
    : `
    folio = folio_walk_start(&fw, vma, addr, FW_MIGRATION | FW_ZEROPAGE);
    ksm_page = folio && folio_test_ksm(folio);
    if (!ksm_page)
        return 0;                    /* no longer a KSM page: done */
    ret = handle_mm_fault(vma, addr,   /* unshare: copy stays read-only */ @fault
                          FAULT_FLAG_UNSHARE | FAULT_FLAG_REMOTE, NULL);
} while (!(ret & (VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV | VM_FAULT_OOM)));`;
  return code(
    "break_ksm",
    KSM,
    `
do {
    cond_resched();${body}
return (ret & VM_FAULT_OOM) ? -ENOMEM : 0;    /* allocating can fail */ @oom
`,
  );
}

/* ---------------- registration, exit, run = 2 ---------------- */

const KSM_MADVISE = code(
  "ksm_madvise",
  KSM,
  `
if (advice == MADV_MERGEABLE) {
    if (*vm_flags & (VM_MERGEABLE | VM_SHARED | VM_MAYSHARE | ...))
        return 0;                          /* just ignore the advice */
    if (!test_bit(MMF_VM_MERGEABLE, &mm->flags))
        err = __ksm_enter(mm);             /* the mm's first advice */
    *vm_flags |= VM_MERGEABLE; @merge
} else {                                   /* MADV_UNMERGEABLE */
    if (!(*vm_flags & VM_MERGEABLE))
        return 0;                          /* just ignore the advice */
    if (vma->anon_vma && (err = unmerge_ksm_pages(vma, start, end)))
        return err;                        /* -ENOMEM: break_ksm failed */ @unmerge-failed
    *vm_flags &= ~VM_MERGEABLE;            /* rmap_items left for ksmd */ @unmerge
}
return 0;
`,
);

function sysMadvise(old: Old): Pseudo {
  return code(
    old ? "sys_madvise" : "do_madvise",
    "mm/madvise.c",
    `
if (!madvise_behavior_valid(behavior)) return -EINVAL; @advice
if (start & ~PAGE_MASK) return -EINVAL;          /* not page-aligned */ @start
end = start + ((len_in + ~PAGE_MASK) & PAGE_MASK);   /* whole pages */
if (end < start) return -EINVAL;                 /* the length wraps */ @len
if (end == start) return 0;
vma = find_vma_prev(mm, start, &prev);
for (;;) {
    if (!vma) return -ENOMEM;                    /* nothing mapped there */
    if (start < vma->vm_start)                   /* a gap: go on, but */
        unmapped_error = -ENOMEM, start = vma->vm_start; @gap
    error = madvise_vma(vma, start, min(end, vma->vm_end));  /* ksm_madvise */
    if (error) return error; @error
    start = vma->vm_end;  if (start >= end) return unmapped_error;
    vma = next vma;
}
`,
  );
}

function ksmEnter(old: Old): Pseudo {
  return code(
    "__ksm_enter",
    KSM,
    `
mm_slot = alloc_mm_slot();
if (!mm_slot) return -ENOMEM;
needs_wakeup = list_empty(&ksm_mm_head.mm_list);  /* nobody registered */
${old ? "insert_to_mm_slots_hash(mm, mm_slot);" : "mm_slot_insert(mm_slots_hash, mm, slot);"}
/* just behind the cursor: let the area settle down a little${old ? "" : " (at the\n   list's end while run = 2)"} */
list_add_tail(&mm_slot->mm_list, &ksm_scan.mm_slot->mm_list); @insert
set_bit(MMF_VM_MERGEABLE, &mm->flags);
${old ? "atomic_inc(&mm->mm_count);" : "mmgrab(mm);"}
if (needs_wakeup)
    wake_up_interruptible(&ksm_thread_wait);   /* ksmd was idle */ @wakeup
return 0;
`,
  );
}

function ksmExit(old: Old): Pseudo {
  return code(
    "__ksm_exit",
    KSM,
    `
mm_slot = ${old ? "get_mm_slot(mm)" : "mm_slot_lookup(mm_slots_hash, mm)"};   /* NULL: not registered */ @lookup
if (mm_slot && ksm_scan.mm_slot != mm_slot) {
    if (${old ? "list_empty(&mm_slot->rmap_list)" : "!mm_slot->rmap_list"}) {     /* no rmap_items: */
        hash_del(mm_slot);  list_del(&mm_slot->mm_list);
        easy_to_free = 1;                  /* straightforward */ @easy
    } else {                     /* leave it for ksmd, after the cursor */
        list_move(&mm_slot->mm_list, &ksm_scan.mm_slot->mm_list);
    }
}
if (easy_to_free) {
    free_mm_slot(mm_slot);  clear_bit(MMF_VM_MERGEABLE, &mm->flags); @free
} else if (mm_slot) {    /* rmap_items stay counted until ksmd passes */
    ${old ? "down_write(&mm->mmap_sem);  up_write(&mm->mmap_sem);" : "mmap_write_lock(mm);  mmap_write_unlock(mm);"} @lazy
}
`,
  );
}

function unmergeAll(old: Old): Pseudo {
  return code(
    "unmerge_and_remove_all_rmap_items",
    KSM,
    `
ksm_scan.mm_slot = first mm_slot;
while ((mm_slot = ksm_scan.mm_slot) != &ksm_mm_head) {
    for (vma = mm->mmap; vma && !ksm_test_exit(mm); vma = vma->vm_next) {
        if (!(vma->vm_flags & VM_MERGEABLE) || !vma->anon_vma) continue;
        err = unmerge_ksm_pages(vma, vma->vm_start, vma->vm_end);
        if (err) goto error;               /* -ENOMEM: break_ksm failed */ @error
    }
    remove_trailing_rmap_items(${old ? "mm_slot, mm_slot->rmap_list.next" : "&mm_slot->rmap_list"});  /* all */
    ksm_scan.mm_slot = next mm_slot;
    if (ksm_test_exit(mm))                 /* exiting: forget the mm */
        free mm_slot, clear_bit(MMF_VM_MERGEABLE, &mm->flags); @removed
}${old ? "" : "\nremove_all_stable_nodes();       /* nodes nobody maps any more */"}
ksm_scan.seqnr = 0;  return 0;             /* full_scans starts again */ @done
error: ksm_scan.mm_slot = &ksm_mm_head;  return err;
`,
  );
}

/* ---------------- faults ---------------- */

function doAnonymousPage(old: Old): Pseudo {
  const [alloc, pte, rmap, set] = old
    ? [
        "page = alloc_zeroed_user_highpage_movable(vma, address);",
        "mk_pte(page, vma->vm_page_prot)",
        "page_add_new_anon_rmap(page, vma, address);      /* mapcount 1 */",
        "set_pte_at(mm, address, page_table, entry);",
      ]
    : [
        "folio = alloc_anon_folio(vmf);                   /* zeroed */",
        "folio_mk_pte(folio, vma->vm_page_prot)",
        "folio_add_new_anon_rmap(folio, vma, addr, RMAP_EXCLUSIVE);",
        "set_ptes(vma->vm_mm, addr, vmf->pte, entry, nr_pages);",
      ];
  return code(
    "do_anonymous_page",
    MEMORY,
    `
if (!(${old ? "flags" : "vmf->flags"} & FAULT_FLAG_WRITE)) {        /* a read: */
    entry = pte_mkspecial(pfn_pte(my_zero_pfn(addr), vma->vm_page_prot)); @read
    goto setpte;                       /* the zero page, read-only */
}
if (unlikely(anon_vma_prepare(vma))) goto oom;
${alloc}
if (!${old ? "page" : "folio"}) goto oom;            /* VM_FAULT_OOM, after the OOM killer */
entry = maybe_mkwrite(pte_mkdirty(${pte}), vma);
if (!pte_none(*pte)) goto release;              /* raced: someone mapped it */
${rmap}
setpte:
${set} @write
return 0;
`,
  );
}

const DO_WP_PAGE_2632 = code(
  "do_wp_page",
  MEMORY,
  `
old_page = vm_normal_page(vma, address, orig_pte);  /* NULL: zero page */
if (old_page && PageAnon(old_page) && !PageKsm(old_page) &&
    reuse_swap_page(old_page)) {                /* mapped only here */
    entry = maybe_mkwrite(pte_mkdirty(pte_mkyoung(orig_pte)), vma);
    ptep_set_access_flags(vma, address, page_table, entry, 1); @reuse
    return VM_FAULT_WRITE;                      /* reused: no copy */
}
/* copy: a KSM page always, a page still shared by fork, the zero page */
if (is_zero_pfn(pte_pfn(orig_pte)))
    new_page = alloc_zeroed_user_highpage_movable(vma, address); @zero
else {
    new_page = alloc_page_vma(GFP_HIGHUSER_MOVABLE, vma, address);
    cow_user_page(new_page, old_page, address, vma); @copy
}
page_remove_rmap(old_page);  set_pte_at(..., mk_pte(new_page) writable);
`,
);

const DO_WP_PAGE_618 = code(
  "do_wp_page",
  MEMORY,
  `
folio = vmf->page ? page_folio(vmf->page) : NULL;   /* NULL: zero page */
if (folio && folio_test_anon(folio) &&
    (PageAnonExclusive(vmf->page) || wp_can_reuse_anon_folio(folio, vma))) {
    wp_page_reuse(vmf, folio);           /* mapped only here: writable */ @reuse
    return 0;                                   /* reused: no copy */
}
/* wp_can_reuse_anon_folio() says no to a KSM folio: always copied */
return wp_page_copy(vmf):
    if (is_zero_pfn(pte_pfn(vmf->orig_pte)))
        new_folio = folio_prealloc(mm, vma, addr, true);  /* zeroed */ @zero
    else {
        new_folio = folio_prealloc(mm, vma, addr, false);
        __wp_page_copy_user(&new_folio->page, vmf->page, vmf); @copy
    }
    folio_remove_rmap_pte(old_folio);  set_pte_at(mm, addr, vmf->pte, entry);
`,
);

/* ---------------- processes ---------------- */

function doMmap(old: Old): Pseudo {
  return code(
    old ? "do_mmap_pgoff" : "do_mmap",
    "mm/mmap.c",
    `
len = PAGE_ALIGN(len);
/* top-down: the new area goes just below the previous one */
addr = get_unmapped_area(file, addr, len, pgoff, flags);
vm_flags = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | mm->def_flags;
return mmap_region(file, addr, len, vm_flags, pgoff):
    vma = vma_merge(mm, prev, addr, addr + len, vm_flags, ...);
    if (!vma) vma = a new vma [addr, addr + len);  /* else extended */
    mm->total_vm += len >> PAGE_SHIFT;     /* nothing faulted in yet */ @map
    return addr;
`,
  );
}

const DO_MUNMAP = code(
  "do_munmap",
  "mm/mmap.c",
  `
if ((start & ~PAGE_MASK) || start > TASK_SIZE || len > TASK_SIZE - start)
    return -EINVAL; @einval
if ((len = PAGE_ALIGN(len)) == 0) return -EINVAL;
vma = find_vma_prev(mm, start, &prev);
if (!vma) return 0;
if (start > vma->vm_start) split_vma(mm, vma, start, 0);
if (last = find_vma(mm, end), last && end > last->vm_start)
    split_vma(mm, last, end, 1);
detach_vmas_to_be_unmapped(mm, vma, prev, end);
unmap_region(mm, vma, prev, start, end);   /* ptes zapped, mapcount-- */ @unmap
/* the rmap_items stay: ksmd frees them when it next passes */
remove_vma_list(mm, vma);
return 0;
`,
);

function doFork(old: Old): Pseudo {
  return code(
    old ? "do_fork" : "kernel_clone",
    FORK,
    `
p = copy_process(${old ? "clone_flags, stack_start, regs, ..." : "NULL, trace, NUMA_NO_NODE, args"});  /* a new task */
if (IS_ERR(p)) return PTR_ERR(p);
nr = ${old ? "task_pid_vnr(p)" : "pid_vnr(get_task_pid(p, PIDTYPE_PID))"};        /* its pid */ @pid
wake_up_new_task(p${old ? ", clone_flags" : ""});
return nr;
/* then execve(): exec_mmap() gives it a fresh, empty mm */
`,
  );
}

function dupMmap(old: Old): Pseudo {
  return code(
    "dup_mmap",
    FORK,
    `
/* a registered parent's child is registered too: __ksm_enter() */
${old ? "ksm_fork(mm, oldmm);" : "if ((retval = ksm_fork(mm, oldmm))) goto out;"}
for (${old ? "mpnt = oldmm->mmap; mpnt; mpnt = mpnt->vm_next" : "each vma mpnt of oldmm"}) {
    tmp = ${old ? "kmem_cache_alloc(vm_area_cachep, GFP_KERNEL);  *tmp = *mpnt;" : "vm_area_dup(mpnt);"}
    tmp->vm_mm = mm;                  /* same range, same flags */
    link tmp into mm;
    retval = copy_page_range(${old ? "mm, oldmm, mpnt" : "tmp, mpnt"}); @copy
        /* each present pte: write-protected in parent and child, */
        /* get_page(), page_dup_rmap(): mapcount++ (KSM pages too) */
}
/* no rmap_items copied: ksmd makes the child's on its next pass */
`,
  );
}

/* ---------------- out of memory ---------------- */

function outOfMemory(old: Old): Pseudo {
  return old
    ? code(
        "out_of_memory",
        OOM,
        `
retry:
p = select_bad_process(&points, NULL);  /* here: largest total_vm; */
                                        /* KSM sharing is not counted */
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
select_bad_process(oc);      /* here: the largest total_vm */
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

function oomKillProcess(old: Old): Pseudo {
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
function parse(old: Old, into: string, uint: boolean): string {
  return old
    ? `err = strict_strtoul(buf, 10, &${into});    /* digits, one newline */
if (err${uint ? ` || ${into} > UINT_MAX` : ""}) return -EINVAL; @einval`
    : `err = kstrtouint(buf, 10, &${into});       /* also a leading '+' */
if (err) return -EINVAL;                    /* also on overflow */ @einval`;
}

function knobStore(old: Old, file: string, local: string, variable: string, wake?: string): Pseudo {
  return code(
    `${file}_store`,
    KSM,
    `
/* echo N > /sys/kernel/mm/ksm/${file} */
${parse(old, local, file !== "max_kernel_pages")}
${variable} = ${local}; @set${wake ? `\n${wake}` : ""}
return count;
`,
  );
}

function runStore(old: Old): Pseudo {
  return code(
    "run_store",
    KSM,
    `
${parse(old, "flags", true)}
if (flags > KSM_RUN_UNMERGE) return -EINVAL;      /* only 0, 1, 2 */ @range
mutex_lock(&ksm_thread_mutex);
if (ksm_run != flags) {
    ksm_run = flags; @set
    if (flags & KSM_RUN_UNMERGE) {
        err = unmerge_and_remove_all_rmap_items();${old ? "" : "  /* oom origin */"} @unmerge
        if (err) { ksm_run = KSM_RUN_STOP;  count = err; } @failed
    }
}
mutex_unlock(&ksm_thread_mutex);
if (flags & KSM_RUN_MERGE)
    wake_up_interruptible(&ksm_thread_wait);      /* ksmd runs */ @wake
return count;
`,
  );
}

function sysfsOpen(old: Old): Pseudo {
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

/* ---------------- the tables ---------------- */

function table(old: Old): Table {
  return {
    ksm_do_scan: ksmDoScan(old),
    scan_get_next_rmap_item: scanGetNextRmapItem(old),
    get_next_rmap_item: old ? GET_NEXT_RMAP_ITEM_2632 : GET_NEXT_RMAP_ITEM_618,
    remove_trailing_rmap_items: removeTrailingRmapItems(old),
    stable_tree_search: old ? STABLE_TREE_SEARCH_2632 : STABLE_TREE_SEARCH_618,
    stable_tree_insert: old ? STABLE_TREE_INSERT_2632 : STABLE_TREE_INSERT_618,
    remove_node_from_stable_tree: old ? null : REMOVE_NODE_FROM_STABLE_TREE,
    calc_checksum: calcChecksum(old),
    unstable_tree_search_insert: unstableTreeSearchInsert(old),
    try_to_merge_two_pages: old ? TRY_TO_MERGE_TWO_PAGES_2632 : TRY_TO_MERGE_TWO_PAGES_618,
    try_to_merge_with_ksm_page: old ? TRY_TO_MERGE_WITH_KSM_PAGE_2632 : TRY_TO_MERGE_WITH_KSM_PAGE_618,
    stable_tree_append: stableTreeAppend(old),
    remove_rmap_item_from_tree: old ? REMOVE_RMAP_ITEM_FROM_TREE_2632 : REMOVE_RMAP_ITEM_FROM_TREE_618,
    break_ksm: breakKsm(old),
    ksm_madvise: KSM_MADVISE,
    sys_madvise: sysMadvise(old),
    __ksm_enter: ksmEnter(old),
    __ksm_exit: ksmExit(old),
    unmerge_and_remove_all_rmap_items: unmergeAll(old),
    do_anonymous_page: doAnonymousPage(old),
    do_wp_page: old ? DO_WP_PAGE_2632 : DO_WP_PAGE_618,
    do_mmap: doMmap(old),
    do_munmap: DO_MUNMAP,
    do_fork: doFork(old),
    dup_mmap: dupMmap(old),
    out_of_memory: outOfMemory(old),
    oom_kill_process: oomKillProcess(old),
    run_store: runStore(old),
    pages_to_scan_store: knobStore(old, "pages_to_scan", "nr_pages", "ksm_thread_pages_to_scan"),
    sleep_millisecs_store: knobStore(
      old,
      "sleep_millisecs",
      "msecs",
      "ksm_thread_sleep_millisecs",
      old ? undefined : "wake_up_interruptible(&ksm_iter_wait);     /* sleep anew */",
    ),
    max_kernel_pages_store: old
      ? knobStore(old, "max_kernel_pages", "nr_pages", "ksm_max_kernel_pages")
      : null,
    sysfs_open: sysfsOpen(old),
  };
}

/** Every function's pseudo-code, per profile; null where that kernel has no such function. */
export const PSEUDOCODE: Readonly<Record<ProfileName, Readonly<Table>>> = {
  "linux-2.6.32": table(true),
  "linux-6.18": table(false),
};

/* ---------------- from an event to a line ---------------- */

/** The knobs each kernel's /sys/kernel/mm/ksm/ lets you write, and its read-only files. */
const SYSFS_KNOBS: Record<ProfileName, readonly string[]> = {
  "linux-2.6.32": ["run", "pages_to_scan", "sleep_millisecs", "max_kernel_pages"],
  "linux-6.18": ["run", "pages_to_scan", "sleep_millisecs"],
};
const SYSFS_COUNTERS: Record<ProfileName, readonly string[]> = {
  "linux-2.6.32": ["full_scans", "pages_shared", "pages_sharing", "pages_unshared", "pages_volatile"],
  "linux-6.18": [
    "full_scans",
    "pages_scanned",
    "pages_shared",
    "pages_sharing",
    "pages_unshared",
    "pages_volatile",
  ],
};

/** The number a store method would read from `value` (a shell word and a newline), or null. */
function knobValue(profile: ProfileName, value: string): bigint | null {
  const m = (profile === "linux-6.18" ? /^\+?([0-9]+)\n?$/ : /^([0-9]+)\n?$/).exec(value);
  return m ? BigInt(m[1]) : null;
}

/** Where an event is: a function and, in order of preference, the labels of its line. */
interface Place {
  fn: FnKey;
  labels: string[];
}

function place(e: KsmEvent, profile: ProfileName): Place {
  const at = (fn: FnKey, ...labels: string[]): Place => ({ fn, labels });
  const old = profile === "linux-2.6.32";
  switch (e.type) {
    case "scan-start":
      return at("scan_get_next_rmap_item", "start");
    case "visit":
      return at("scan_get_next_rmap_item", "visit");
    case "scan-end":
      return at("scan_get_next_rmap_item", "end");
    case "ksmd-batch":
      return at("ksm_do_scan", e.scanned === 0 ? "end" : "sleep");
    case "rmap-free":
      return at(e.fn, "free");
    case "slot-removed":
      switch (e.fn) {
        case "__ksm_exit":
          return at("__ksm_exit", "free");
        case "unmerge_and_remove_all_rmap_items":
          return at("unmerge_and_remove_all_rmap_items", "removed");
        default:
          return at("scan_get_next_rmap_item", "removed");
      }
    case "stable-search":
      if (e.found === null) return at("stable_tree_search", "none");
      return at("stable_tree_search", e.path.length === 0 ? "forked" : "found", "found");
    case "stable-prune":
      // 6.18 drops a stale node whole; 2.6.32 prunes one rmap_item of a chain.
      if (!old) return at("remove_node_from_stable_tree", "erase");
      return at(e.fn === "stable_tree_insert" ? "stable_tree_insert" : "stable_tree_search", "prune");
    case "stable-insert":
      if (e.ok) return at("stable_tree_insert", "inserted");
      return at("stable_tree_insert", e.path[e.path.length - 1]?.result === 0 ? "equal" : "gone", "equal");
    case "stable-append":
      return at("stable_tree_append", "append");
    case "stable-remove": {
      const how = e.promoted !== null ? "promote" : e.node === e.item ? "erase" : "unlink";
      return at("remove_rmap_item_from_tree", how, "unlink");
    }
    case "unstable-remove":
      return at("remove_rmap_item_from_tree", e.erased ? "unstable-erase" : "unstable-skip");
    case "checksum":
      return at("calc_checksum", e.volatile ? "volatile" : "steady");
    case "unstable-search": {
      const label = { match: "match", inserted: "inserted", "page-gone": "gone", "same-page": "same" };
      return at("unstable_tree_search_insert", label[e.outcome]);
    }
    case "merge-two": {
      if (e.ok) return at("try_to_merge_two_pages", "ok");
      return at("try_to_merge_two_pages", e.why ? REFUSAL_LABEL[e.why] : "failed", "failed");
    }
    case "merge-with-ksm":
      return at("try_to_merge_with_ksm_page", e.ok ? "ok" : "failed");
    case "break-cow":
      return at("break_ksm", e.errno ? "oom" : "fault");
    case "fault":
      return at("do_anonymous_page", e.write ? "write" : "read");
    case "cow-fault":
      return at("do_wp_page", e.from === ZERO_PFN && !e.ksm ? "zero" : "copy");
    case "wp-reuse":
      return at("do_wp_page", "reuse");
    case "mmap":
      return at("do_mmap", "map");
    case "munmap":
      return at("do_munmap", e.errno ? "einval" : "unmap");
    case "madvise":
      return madvisePlace(e);
    case "ksm-enter":
      return at("__ksm_enter", e.wakeup ? "wakeup" : "insert");
    case "spawn":
      return at("do_fork", "pid");
    case "fork":
      return at("dup_mmap", "copy");
    case "exit":
      return at("__ksm_exit", !e.registered ? "lookup" : e.easyToFree ? "easy" : "lazy");
    case "oom-kill":
      return at("oom_kill_process", "kill");
    case "oom-fail":
      return at("out_of_memory", "none");
    case "unmerge":
      return at("unmerge_and_remove_all_rmap_items", e.errno ? "error" : "done");
    case "sysfs-write":
      return sysfsPlace(e, profile);
    default:
      return assertNever(e);
  }
}

/**
 * sys_madvise() checks its arguments and walks the VMAs; ksm_madvise()
 * decides for each. An ENOMEM from MADV_UNMERGEABLE is taken to be
 * break_ksm's (an unmapped gap gives it too, but the event cannot tell).
 */
function madvisePlace(e: Extract<KsmEvent, { type: "madvise" }>): Place {
  const merge = e.advice === "MADV_MERGEABLE";
  if (!e.errno) return { fn: "ksm_madvise", labels: [merge ? "merge" : "unmerge"] };
  if (e.errno === "EINVAL") {
    const label =
      !merge && e.advice !== "MADV_UNMERGEABLE" ? "advice" : e.start % PAGE_SIZE ? "start" : "len";
    return { fn: "sys_madvise", labels: [label] };
  }
  if (e.errno === "ENOMEM")
    return merge ? { fn: "sys_madvise", labels: ["gap"] } : { fn: "ksm_madvise", labels: ["unmerge-failed"] };
  return { fn: "sys_madvise", labels: ["error"] };
}

function sysfsPlace(e: Extract<KsmEvent, { type: "sysfs-write" }>, profile: ProfileName): Place {
  if (!SYSFS_KNOBS[profile].includes(e.file) || e.errno === "EACCES")
    return { fn: "sysfs_open", labels: [SYSFS_COUNTERS[profile].includes(e.file) ? "readonly" : "nofile"] };
  const fn = `${e.file}_store` as FnKey;
  if (e.file !== "run") return { fn, labels: [e.errno ? "einval" : "set"] };
  const n = knobValue(profile, e.value);
  if (e.errno === "EINVAL")
    return { fn, labels: [n !== null && n > 2n && n <= 0xffffffffn ? "range" : "einval"] };
  if (e.errno) return { fn, labels: ["failed"] };
  return { fn, labels: [n === 2n ? "unmerge" : n === 1n ? "wake" : "set"] };
}

function assertNever(e: never): never {
  throw new Error(`pseudocode: unknown event ${JSON.stringify(e)}`);
}

/** What the code pane shows for an event: the function and the line it is at. */
export interface CodeStep {
  fn: FnKey;
  code: Pseudo;
  /** Index into code.lines. */
  line: number;
}

export function codeStep(e: KsmEvent, profile: ProfileName): CodeStep {
  const { fn, labels } = place(e, profile);
  const code = PSEUDOCODE[profile][fn];
  if (!code) throw new Error(`pseudocode: ${profile} has no ${fn}()`);
  for (const label of labels) {
    const line = code.labels[label];
    if (line !== undefined) return { fn, code, line };
  }
  throw new Error(`pseudocode: ${fn}() of ${profile} has no line ${labels.join(" or ")}`);
}

/** The function an event is in, for this kernel. */
export function functionOf(e: KsmEvent, profile: ProfileName): FnKey {
  return place(e, profile).fn;
}

/** The line (an index into the function's lines) an event is at. */
export function currentLine(e: KsmEvent, profile: ProfileName): number {
  return codeStep(e, profile).line;
}
