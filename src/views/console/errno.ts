/** glibc's strerror() for the errnos a write can give. */
const STRERROR = new Map(
  Object.entries({
    EPERM: "Operation not permitted",
    ENOENT: "No such file or directory",
    ESRCH: "No such process",
    EIO: "Input/output error",
    EAGAIN: "Resource temporarily unavailable",
    ENOMEM: "Cannot allocate memory",
    EACCES: "Permission denied",
    EFAULT: "Bad address",
    EBUSY: "Device or resource busy",
    ENOTDIR: "Not a directory",
    EISDIR: "Is a directory",
    EINVAL: "Invalid argument",
    ENOSPC: "No space left on device",
    EROFS: "Read-only file system",
    ERANGE: "Numerical result out of range",
    E2BIG: "Argument list too long",
  }),
);

export function strerror(errno: string): string {
  return STRERROR.get(errno) ?? errno;
}
