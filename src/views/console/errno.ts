import { STRERROR } from "../../engine";

/**
 * glibc's strerror() for the errnos a shell line can give: the kernel's, as
 * the engine names them, and the ones only the shell and its files raise.
 */
const MESSAGES = new Map(
  Object.entries({
    ...STRERROR,
    EPERM: "Operation not permitted",
    EIO: "Input/output error",
    ENOTDIR: "Not a directory",
    EISDIR: "Is a directory",
    ENOSPC: "No space left on device",
    EROFS: "Read-only file system",
    E2BIG: "Argument list too long",
  }),
);

export function strerror(errno: string): string {
  return MESSAGES.get(errno) ?? errno;
}
