import os from "node:os";
import type { Locator, Page } from "@playwright/test";
import { expect, test } from "./fixtures";

// The terminals through the page: the side-by-side view types the same
// command into a container's shell and a VM's, and each screen shows its
// own kernel; a resize of the page reaches the shell's tty.

/** What an xterm shows, as lines of text (its DOM renderer draws spaces as no-break spaces). */
async function screenText(screen: Locator): Promise<string> {
  return (await screen.locator(".xterm-rows").innerText()).replaceAll("\u00a0", " ");
}

/** The line a command printed right after the last echo of `command`. */
async function answerTo(screen: Locator, command: string): Promise<string | undefined> {
  const lines = (await screenText(screen)).split("\n").map((l) => l.trim());
  const at = lines.findLastIndex((l) => l.endsWith(command));
  return at >= 0 ? lines[at + 1] || undefined : undefined;
}

async function typeInto(page: Page, screen: Locator, text: string) {
  await screen.click();
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
}

test("types uname -r into a container and a VM side by side, reads both kernels, and a resize reaches the tty", async ({ page, instances }) => {
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto("/");
  await instances.launch("container", "e2e-term-ct");
  await instances.launch("vm", "e2e-term-vm");

  await page.goto("/terminal");
  const ct = page.getByTestId("terminal-screen-container");
  const vm = page.getByTestId("terminal-screen-vm");
  await expect(page.getByTestId("terminal-status-container")).toContainText("Connected", { timeout: 30_000 });
  await expect(page.getByTestId("terminal-status-vm")).toContainText("Connected", { timeout: 60_000 });
  // The guest's shell prints its prompt once it runs.
  await expect.poll(() => screenText(vm), { timeout: 60_000 }).toMatch(/\/ # *$/m);

  await page.getByRole("group", { name: "Type into both" }).getByRole("button", { name: "uname -r" }).click();
  await expect.poll(() => answerTo(ct, "uname -r"), { timeout: 30_000 }).toBe(os.release());
  await expect.poll(() => answerTo(vm, "uname -r"), { timeout: 60_000 }).toMatch(/^\d+\.\d+\S*$/);
  expect(await answerTo(vm, "uname -r")).not.toBe(os.release());

  // Each tty follows its pane: a narrower page gives fewer columns — in the
  // container through runc's pty, in the VM through the agent's resize of the guest's tty.
  const sizes = async () => {
    for (const screen of [ct, vm]) await typeInto(page, screen, "stty size");
    await expect.poll(() => answerTo(ct, "stty size"), { timeout: 30_000 }).toMatch(/^\d+ \d+$/);
    await expect.poll(() => answerTo(vm, "stty size"), { timeout: 60_000 }).toMatch(/^\d+ \d+$/);
    return { ct: (await answerTo(ct, "stty size"))!, vm: (await answerTo(vm, "stty size"))! };
  };
  const wide = await sizes();
  await page.setViewportSize({ width: 1000, height: 900 });
  await expect
    .poll(
      async () => {
        const now = await sizes();
        return now.ct !== wide.ct && now.vm !== wide.vm;
      },
      { timeout: 90_000, intervals: [2000] },
    )
    .toBe(true);

  await page.goto("/");
  await instances.stop("e2e-term-vm");
  await instances.stop("e2e-term-ct");
  await instances.remove("e2e-term-vm");
  await instances.remove("e2e-term-ct");
});

test("a bare process explains why it has no terminal", async ({ page, instances }) => {
  await page.goto("/");
  await instances.launch("process", "e2e-term-proc");
  await instances.open("e2e-term-proc");
  await expect(page.getByTestId("no-terminal")).toContainText("root shell on the host");
  await page.goto("/");
  await instances.stop("e2e-term-proc");
  await instances.remove("e2e-term-proc");
});
