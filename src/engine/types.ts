/** Basic units of the simulated machine, named as in the kernel. */

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT; // 4096 bytes
export const PAGE_MASK = -PAGE_SIZE;

/** A page frame number: the index of a frame in simulated physical memory. */
export type Pfn = number;
/** A user virtual address in bytes (page aligned where a page is meant). */
export type VirtAddr = number;
/** A process id. */
export type Pid = number;

/** Highest user address + 1: x86-64's 47-bit user space, as on the machines we compare with. */
export const TASK_SIZE = 2 ** 47;
/** Where the first mmap lands; later ones are placed below it (top-down, like mm/mmap.c). */
export const MMAP_BASE = 0x7f00_0000_0000;

/** The kernel's error numbers that the engine can return. */
export type Errno =
  | "EINVAL"
  | "ENOMEM"
  | "EACCES"
  | "ENOENT"
  | "EFAULT"
  | "ESRCH"
  | "EAGAIN"
  | "EBUSY"
  | "ERANGE"
  | "EINTR";

/** strerror(): glibc's text for each errno the engine can return (one table for the whole app). */
export const STRERROR: Record<Errno, string> = {
  EINVAL: "Invalid argument",
  ENOMEM: "Cannot allocate memory",
  EACCES: "Permission denied",
  ENOENT: "No such file or directory",
  EFAULT: "Bad address",
  ESRCH: "No such process",
  EAGAIN: "Resource temporarily unavailable",
  EBUSY: "Device or resource busy",
  ERANGE: "Numerical result out of range",
  EINTR: "Interrupted system call",
};

export function pageAligned(addr: number): boolean {
  return addr % PAGE_SIZE === 0;
}
