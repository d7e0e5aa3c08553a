import { say, useStore } from "../store/store";
import type { Command } from "../worker/protocol";

/**
 * Send a command; show the kernel's errno (or any failure) as a message.
 * Resolves to the reply. A cancel (the user's own) and a stopped engine
 * (the restart offer says so) are not repeated as messages.
 */
export async function run(cmd: Command, what: string) {
  const reply = await useStore.getState().send(cmd);
  if (reply.errno && reply.errno !== "ECANCELED" && reply.errno !== "EPIPE")
    say("error", `${what}: ${reply.message ?? reply.errno} (${reply.errno})`);
  return reply;
}
