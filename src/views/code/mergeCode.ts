import { code, KSM, type Old, type Pseudo } from "./listing";

/* Pseudo-code of checksums, the unstable tree and merging (see pseudocode.ts). */

/* ---------------- checksums and the unstable tree ---------------- */

/*
 * cmp_and_merge_page(): where the two kernels differ most. 2.6.32 looks a
 * page up in the stable tree before its checksum (and ksm_do_scan() skips
 * a KSM page already in the stable tree); 6.18 makes every page that is not
 * a KSM page pass the checksum gate first, then tries the zero page.
 */
export const CMP_AND_MERGE_PAGE_2632 = code(
  "cmp_and_merge_page",
  KSM,
  `
/* from ksm_do_scan(): a page not in the stable tree (or a forked one) */
tree_rmap_item = stable_tree_search(page, page2, rmap_item);   /* first */
if (tree_rmap_item) {                      /* a KSM page has them: */
    err = try_to_merge_with_ksm_page(mm, addr, page, page2[0]);
    if (!err) stable_tree_append(rmap_item, tree_rmap_item);
    return;
}
if (PageKsm(page)) break_cow(rmap_item->mm, rmap_item->address);
checksum = calc_checksum(page);    /* jhash2; simulated: xxh32, seed 17 */
if (rmap_item->oldchecksum != checksum) {  /* changed since last scan */
    rmap_item->oldchecksum = checksum;  return;   /* volatile: no search */ @volatile
}
tree_rmap_item = unstable_tree_search_insert(page, page2, rmap_item); @steady
if (tree_rmap_item && !try_to_merge_two_pages(...))  /* a new KSM page */
    stable_tree_insert(page2[0], tree_rmap_item), stable_tree_append(...);
`,
);

export const CMP_AND_MERGE_PAGE_618 = code(
  "cmp_and_merge_page",
  KSM,
  `
if ((stable_node = page_stable_node(page))) {  /* already a KSM page: */
    if (rmap_item->head == stable_node) return;   /* merged right here */
} else {                           /* not yet: the checksum gate first */
    remove_rmap_item_from_tree(rmap_item);
    checksum = calc_checksum(page);    /* xxhash; simulated: xxh32 */
    if (rmap_item->oldchecksum != checksum) {     /* changed since last scan */
        rmap_item->oldchecksum = checksum;  return;     /* volatile */ @volatile
    }
    if (!try_to_merge_with_zero_page(rmap_item, page)) return;  /* zeros */
}
kfolio = stable_tree_search(page);         /* then the stable tree */ @steady
if (kfolio) { try_to_merge_with_ksm_page(), stable_tree_append();  return; }
tree_rmap_item = unstable_tree_search_insert(rmap_item, page, &tree_page);
if (tree_rmap_item && (kfolio = try_to_merge_two_pages(...)))  /* new KSM */
    stable_tree_insert(kfolio), stable_tree_append() for both rmap_items;
`,
);

export function unstableTreeSearchInsert(old: Old): Pseudo {
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

export const TRY_TO_MERGE_TWO_PAGES_2632 = code(
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

export const TRY_TO_MERGE_TWO_PAGES_618 = code(
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

const MERGE_FAILED = "return err;                    /* -EFAULT: it changed or went away */ @failed";

export const TRY_TO_MERGE_WITH_KSM_PAGE_2632 = code(
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

export const TRY_TO_MERGE_WITH_KSM_PAGE_618 = code(
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

export const REMOVE_RMAP_ITEM_FROM_TREE_2632 = code(
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

export const REMOVE_RMAP_ITEM_FROM_TREE_618 = code(
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

export function breakKsm(old: Old): Pseudo {
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
