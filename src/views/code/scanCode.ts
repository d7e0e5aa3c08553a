import { code, KSM, type Old, type Pseudo } from "./listing";

/* Pseudo-code of ksmd's scan and the stable tree (see pseudocode.ts). */

/* ---------------- ksmd's scan ---------------- */

export function ksmDoScan(old: Old): Pseudo {
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

export function scanGetNextRmapItem(old: Old): Pseudo {
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

export const GET_NEXT_RMAP_ITEM_2632 = code(
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

export const GET_NEXT_RMAP_ITEM_618 = code(
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

export function removeTrailingRmapItems(old: Old): Pseudo {
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

export const STABLE_TREE_SEARCH_2632 = code(
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

export const STABLE_TREE_SEARCH_618 = code(
  "stable_tree_search",
  KSM,
  `
if (folio_stable_node(folio)) return folio;   /* ksm page forked */ @forked
again:  node = root_stable_tree.rb_node;
while (node) {
    tree_folio = chain_prune(&stable_node_dup, &stable_node, root);
    if (!tree_folio)          /* ksm_get_folio() removed a stale node: */
        goto again;           /* the tree may have been rebalanced */ @stale
    ret = memcmp_pages(page, &tree_folio->page);
    if (ret < 0) node = node->rb_left;
    else if (ret > 0) node = node->rb_right;
    else if (!is_page_sharing_candidate(stable_node_dup))
        return NULL;    /* max_page_sharing reached: pair up anew */ @full
    else return tree_folio;                /* same contents: merge */ @found
}
return NULL;                               /* no KSM page has them */ @none
`,
);

export const STABLE_TREE_INSERT_2632 = code(
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

export const STABLE_TREE_INSERT_618 = code(
  "stable_tree_insert",
  KSM,
  `
again:  parent = NULL;  new = &root->rb_node;
while (*new) {
    tree_folio = chain(&stable_node_dup, &stable_node, root);  /* any dup */
    if (!tree_folio) goto again;           /* a stale node was removed */
    ret = memcmp_pages(&kfolio->page, &tree_folio->page);  parent = *new;
    if (ret < 0) new = &parent->rb_left;
    else if (ret > 0) new = &parent->rb_right;
    else { need_chain = true;  break; }    /* equal: its dups are full */
}
if (!(stable_node_dup = alloc_stable_node())) return NULL;  /* no memory */ @nomem
if (!need_chain) rb_link_node(...), rb_insert_color(...);  /* new node */ @inserted
else if (!is_stable_node_chain(stable_node))   /* the node becomes a chain */
    stable_node = alloc_stable_node_chain(stable_node, root);
if (need_chain) stable_node_chain_add_dup(stable_node_dup, stable_node); @chain
folio_set_stable_node(kfolio, stable_node_dup);  return stable_node_dup;
`,
);

export const REMOVE_NODE_FROM_STABLE_TREE = code(
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

export function stableTreeAppend(old: Old): Pseudo {
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

/* ---------------- smart scan (6.18) ---------------- */

export const SHOULD_SKIP_RMAP_ITEM = code(
  "should_skip_rmap_item",
  KSM,
  `
if (!ksm_smart_scan) return false;
if (folio_test_ksm(folio)) return false;     /* never skip KSM pages */
age = rmap_item->age;
if (age != U8_MAX) rmap_item->age++;
if (age < 3) return false;                    /* young: every phase */
if (!rmap_item->remaining_skips) {
    rmap_item->remaining_skips = skip_age(age);   /* 1, 2, 4 or 8 */
    return false;                             /* let through once */
}
ksm_pages_skipped++;
rmap_item->remaining_skips--;
remove_rmap_item_from_tree(rmap_item);
return true;                                  /* passed over this scan */ @skip
`,
);
