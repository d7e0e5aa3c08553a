import type { Kernel } from "../kernel";
import type { Ksm } from "./ksm";
import { Ksm618 } from "./ksm-618";
import { Ksm2632 } from "./ksm-2632";
import type { ProfileName } from "./profile";

export function createKsm(k: Kernel, profile: ProfileName): Ksm {
  return profile === "linux-6.18" ? new Ksm618(k, profile) : new Ksm2632(k, profile);
}
