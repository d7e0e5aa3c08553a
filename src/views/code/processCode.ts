import { code, FORK, KSM, MEMORY, type Old, type Pseudo } from "./listing";

/* Pseudo-code of registration, exit, run = 2, faults and processes (see pseudocode.ts). */

/* ---------------- registration, exit, run = 2 ---------------- */

export const KSM_MADVISE = code(
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
        return err;        /* break_ksm: -ENOMEM, given as -EAGAIN */ @unmerge-failed
    *vm_flags &= ~VM_MERGEABLE;            /* rmap_items left for ksmd */ @unmerge
}
return 0;
`,
);

export function sysMadvise(old: Old): Pseudo {
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
    if (error == -ENOMEM) error = -EAGAIN;  /* ${old ? "madvise_behavior()" : "madvise_vma_behavior()"} */
    if (error) return error; @error
    start = vma->vm_end;  if (start >= end) return unmapped_error;  vma = next;
}
`,
  );
}

export function ksmEnter(old: Old): Pseudo {
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

export function ksmExit(old: Old): Pseudo {
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

export function unmergeAll(old: Old): Pseudo {
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

export function doAnonymousPage(old: Old): Pseudo {
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

export const DO_WP_PAGE_2632 = code(
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

export const DO_WP_PAGE_618 = code(
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

export function doMmap(old: Old): Pseudo {
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

export const DO_MUNMAP = code(
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

export function doFork(old: Old): Pseudo {
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

export function dupMmap(old: Old): Pseudo {
  return code(
    "dup_mmap",
    FORK,
    `
/* a registered parent's child is registered too: __ksm_enter() */
${old ? "if ((retval = ksm_fork(mm, oldmm))) goto out;   /* -ENOMEM: no fork */" : "ksm_fork(mm, oldmm);     /* void: best effort, __ksm_enter() may fail */"}
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

/* ---------------- a write with no fault ---------------- */

export const HANDLE_MM_FAULT = code(
  "handle_mm_fault",
  MEMORY,
  `
/* The CPU faults only when the PTE forbids the access: a store */
/* through a present, writable PTE never comes here, costs no fault */ @plain
handle_pte_fault(vmf):
    if (!pte_present(vmf->orig_pte))
        return do_anonymous_page(vmf);        /* first touch */
    if ((vmf->flags & FAULT_FLAG_WRITE) && !pte_write(vmf->orig_pte))
        return do_wp_page(vmf);               /* copy, or reuse */
`,
);

/** 2.6.32's sys_prctl(): option 67 (PR_SET_MEMORY_MERGE, 6.4) is unknown there. */
export const SYS_PRCTL_2632 = code(
  "sys_prctl",
  "kernel/sys.c",
  `
error = security_task_prctl(option, arg2, arg3, arg4, arg5);
if (error != -ENOSYS) return error;
error = 0;
switch (option) {
case PR_SET_PDEATHSIG: ...     /* the options 2.6.32 knows */
default:                       /* PR_SET_MEMORY_MERGE (67) came in 6.4 */
    error = -EINVAL; @einval
    break;
}
return error;
`,
);
