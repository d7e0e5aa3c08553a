import { code, KSM } from "./listing";

/*
 * Pseudo-code of what 6.18's merging adds to 2.6.32's: the zero page for
 * pages of zeros (use_zero_pages) and the choice among a stable node
 * chain's duplicate KSM pages (max_page_sharing); see pseudocode.ts.
 */

export const TRY_TO_MERGE_WITH_ZERO_PAGE = code(
  "try_to_merge_with_zero_page",
  KSM,
  `
int err = -EFAULT;     /* cmp_and_merge_page(): the checksum held a scan */
if (ksm_use_zero_pages && rmap_item->oldchecksum == zero_checksum) {
    vma = find_mergeable_vma(mm, rmap_item->address);
    if (vma) {
        err = try_to_merge_one_page(vma, page, ZERO_PAGE(address));
        /* 0: the PTE maps the zero page, marked dirty: ksm_zero_pages++ */ @ok
    } else
        err = 0;                  /* the area went away: nothing to do */
}
return err;     /* -EFAULT: not merged, cmp_and_merge_page() goes on */ @failed
`,
);

export const STABLE_NODE_DUP = code(
  "stable_node_dup",
  KSM,
  `
if (!prune || time_before(jiffies, prune_time + prune_msecs)) prune = false;
hlist_for_each_entry_safe(dup, hlist_safe, &stable_node->hlist, hlist_dup) {
    if (!(folio = ksm_get_folio(dup, KSM_GET_FOLIO_NOLOCK))) continue;
    if (!found || (is_page_sharing_candidate(dup) &&       /* has room */
        (!is_page_sharing_candidate(found) || dup->rmap_hlist_len > len))) {
        found = dup;  len = dup->rmap_hlist_len;  tree_folio = folio; @pick
        if (!prune && is_page_sharing_candidate(found)) break;
    }
}
if (found && it is the only dup)   /* below the limit: drop the chain */
    rb_replace_node(&stable_node->node, &found->node, root);
else if (found && __is_page_sharing_candidate(found, 1))
    move found to the head of the chain;  /* found first next time */
else if (!found) free_stable_node_chain(stable_node, root);
*_stable_node_dup = found;  return tree_folio;  /* found may be full */
`,
);

/*
 * prctl(PR_SET_MEMORY_MERGE) (kernel/sys.c, since 6.4) calls one of these
 * two under the mmap lock: KSM for the whole process, now and for areas
 * mapped later (ksm_vma_flags() at mmap time).
 */
export const KSM_ENABLE_MERGE_ANY = code(
  "ksm_enable_merge_any",
  KSM,
  `
if (test_bit(MMF_VM_MERGE_ANY, &mm->flags))
    return 0;                              /* already on */
if (!test_bit(MMF_VM_MERGEABLE, &mm->flags)) {
    err = __ksm_enter(mm);                 /* the mm's first use of KSM */
    if (err) return err;
}
set_bit(MMF_VM_MERGE_ANY, &mm->flags);     /* kept across fork */
ksm_add_vmas(mm);              /* every compatible area: VM_MERGEABLE */ @done
return 0;
`,
);

export const KSM_DISABLE_MERGE_ANY = code(
  "ksm_disable_merge_any",
  KSM,
  `
if (!test_bit(MMF_VM_MERGE_ANY, &mm->flags))
    return 0;                              /* already off */
err = ksm_del_vmas(mm);       /* unmerge, as MADV_UNMERGEABLE would */
if (err) {
    ksm_add_vmas(mm);         /* all or nothing: stays mergeable */ @failed
    return err;
}
clear_bit(MMF_VM_MERGE_ANY, &mm->flags); @done
return 0;
`,
);
