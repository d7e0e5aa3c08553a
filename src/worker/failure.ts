/**
 * Exceptions from the engine, as sentences for people. No JavaScript error
 * text reaches the app: a RangeError is the engine running out of room for
 * what was asked (the kernel would say ENOMEM); anything else is a fault in
 * the engine itself, said so plainly. The original goes to the console for
 * developers.
 */
export function failure(err: unknown, what: string): { errno: string; message: string } {
  console.error(err);
  if (err instanceof RangeError)
    return { errno: "ENOMEM", message: `${what} needs more memory than the simulated machine can hold` };
  return { errno: "EIO", message: `${what} made the engine fail (an internal fault, not your input)` };
}

/**
 * The scenario parser's "not valid JSON: <JSON.parse's message>" in words:
 * where the mistake is (line and column), or what was unexpected, or that
 * the text ends too early. Other messages pass unchanged.
 */
export function scenarioRefusal(message: string, text: string): string {
  const prefix = "not valid JSON: ";
  if (!message.startsWith(prefix)) return message;
  const v8 = message.slice(prefix.length);
  if (/Unexpected end/i.test(v8)) return "not valid JSON: the text ends too early (was it cut short?)";
  const at = /position (\d+)/.exec(v8);
  if (at) {
    const before = text.slice(0, Number(at[1]));
    const line = before.split("\n").length;
    const column = before.length - before.lastIndexOf("\n");
    return `not valid JSON: a mistake at line ${line}, column ${column}`;
  }
  const token = /Unexpected token '(.+?)'/.exec(v8);
  if (token) return `not valid JSON: "${token[1]}" where it cannot be`;
  return "not valid JSON";
}
