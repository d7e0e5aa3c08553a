import { expect, test } from "@playwright/test";
import { open } from "./helpers";

/** A picked scenario file is decoded as the CLI decodes it: UTF-8 with a BOM and UTF-16 open too. */
test.describe("scenario files in the encodings a browser reads", () => {
  const text = JSON.stringify({
    name: "encoded-é",
    steps: [
      { op: "spawn", proc: "A" },
      { op: "snapshot", label: "start" },
    ],
  });
  const le = Buffer.from(`\ufeff${text}`, "utf16le");
  const files: [string, Buffer][] = [
    ["utf8-bom.json", Buffer.from(`\ufeff${text}`)],
    ["utf16le.json", le],
    ["utf16be.json", Buffer.from(le).swap16()],
  ];
  for (const [name, buffer] of files) {
    test(name, async ({ page }) => {
      await open(page);
      await page.locator('input[type="file"]').setInputFiles({ name, mimeType: "application/json", buffer });
      await expect(page.getByText("encoded-é")).toBeVisible();
      await page.getByRole("button", { name: "Run to the end" }).click();
      await expect(page.getByTitle("scenario output")).toContainText("Snapshot “start”: pages_shared 0");
    });
  }
});
