import { expect, test } from "@playwright/test";

test("placeholder page renders its heading without console errors", async ({ page }) => {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") {
      errors.push(message.text());
    }
  });
  page.on("pageerror", (error) => {
    errors.push(error.message);
  });

  await page.goto("/");

  await expect(page).toHaveTitle("KSM — kernel samepage merging, visualised");
  await expect(
    page.getByRole("heading", { level: 1, name: "KSM — kernel samepage merging, visualised" }),
  ).toBeVisible();
  await expect(page.getByText("npm run -s scenario -- public/scenarios/<file>.json")).toBeVisible();

  expect(errors).toEqual([]);
});
