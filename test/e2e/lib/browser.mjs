// Debian's Chromium driven by playwright-core (no browser is ever
// downloaded): a fresh profile per launch, 1280×800, and every console error,
// page error and failed request collected so a test can insist on none.
import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

import { chromium } from "playwright-core";

import { repoRoot, tempDir } from "./lite.mjs";

export const chromiumPath = process.env.LEOFLOW_CHROMIUM ?? "/usr/bin/chromium";
export const artifactsDir = resolve(process.env.LEOFLOW_E2E_ARTIFACTS ?? join(repoRoot, "test", "e2e", "artifacts"));

const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

export class Browser {
  static async launch({ colorScheme = "light" } = {}) {
    const profile = tempDir("leoflow-e2e-chromium-");
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: chromiumArgs,
      viewport: { width: 1280, height: 800 },
      colorScheme,
    });
    const browser = new Browser(context, profile);
    context.setDefaultTimeout(15_000);
    return browser;
  }

  constructor(context, profile) {
    this.context = context;
    this.profile = profile;
    this.problems = [];
  }

  // A new tab whose console errors and uncaught exceptions are recorded.
  async page() {
    const page = await this.context.newPage();
    page.on("console", (message) => {
      if (message.type() === "error") this.problems.push(`console: ${message.text()}`);
    });
    page.on("pageerror", (error) => this.problems.push(`page error: ${error.message}`));
    return page;
  }

  async screenshot(page, name) {
    mkdirSync(artifactsDir, { recursive: true });
    const path = join(artifactsDir, `${name}.png`);
    await page.screenshot({ path });
    return path;
  }

  async close() {
    await this.context.close();
    rmSync(this.profile, { recursive: true, force: true });
  }
}
