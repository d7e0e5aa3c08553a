import { useEffect, useRef, useState } from "react";
import type { KsmEvent } from "../../engine";
import { flashKeys } from "./pageModel";

/** How long a COW flash lasts, in milliseconds (matches processes.css). */
export const FLASH_MS = 600;

const NO_KEYS: ReadonlySet<string> = new Set();

/** Page keys that flash for FLASH_MS after a COW fault, when motion is on. */
export function useFlash(recent: readonly KsmEvent[], motion: boolean): ReadonlySet<string> {
  const [flash, setFlash] = useState<ReadonlySet<string>>(NO_KEYS);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    if (!motion) {
      setFlash(NO_KEYS);
      return;
    }
    const keys = flashKeys(recent);
    if (keys.size === 0) return;
    setFlash(keys);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      timer.current = null;
      setFlash(NO_KEYS);
    }, FLASH_MS);
  }, [recent, motion]);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  return flash;
}
