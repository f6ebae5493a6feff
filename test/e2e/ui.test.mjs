// The UI in a real browser (Debian's Chromium) against a real `leoflow lite`
// on a temporary home with DAG projects written here: the LITE badge, the DAG
// list, the DAG page's views, a triggered run turning green without a reload,
// a task log, an import error appearing and clearing, the graph following a
// structural change, themes, keyboard reach and a clean console. Screenshots
// of each page go to the artifacts folder.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { Browser } from "./lib/browser.mjs";
import { brokenHelloDag, groupsDag, helloDag, waitingDag } from "./lib/dags.mjs";
import { leoflowBinary, Lite, tempDir, waitFor, writeDag } from "./lib/lite.mjs";

const runDeadline = 120_000;

describe("the UI in Chromium", () => {
  let lite;
  let dags;
  let browser;
  let page;
  let runApi = false;

  before(async () => {
    dags = tempDir("leoflow-e2e-dags-");
    writeDag(dags, "e2e_hello", helloDag());
    writeDag(dags, "e2e_groups", groupsDag);
    lite = await Lite.start({ folders: [dags] });
    await waitFor(async () => (await lite.fetchJson("/api/v2/dags")).body?.total_entries === 2, {
      message: "both DAGs to register",
    });
    runApi = (await lite.fetchJson("/api/v2/dags/e2e_hello/dagRuns")).status === 200;
    browser = await Browser.launch();
    page = await browser.page();
  });

  after(async () => {
    await browser?.close();
    await lite?.stop();
  });

  const skipWithoutRuns = (t) => {
    if (!runApi) {
      t.skip("the run API (GET/POST /api/v2/dags/{dag_id}/dagRuns, issue 3) is not in this build yet");
      return true;
    }
    return false;
  };

  test("home shows the LITE badge and the DAG counts", async () => {
    await page.goto(lite.url("/"));
    await page.getByTestId("lite-badge").waitFor();
    assert.equal(await page.getByTestId("lite-badge").textContent(), "LITE");
    await waitFor(async () => (await page.getByTestId("active-dags-card").textContent()).includes("2"), {
      message: "the Active Dags card to count 2",
    });
    await page.getByTestId("live-status").filter({ hasText: "Live" }).waitFor();
    assert.equal(await page.getByTestId("import-errors-card").count(), 0);
    await browser.screenshot(page, "01-home");
  });

  test("the DAG list shows, searches, filters and pauses", async () => {
    await page.getByRole("link", { name: "Dags", exact: true }).click();
    await page.getByTestId("dag-row-e2e_hello").waitFor();
    await page.getByTestId("dag-row-e2e_groups").waitFor();
    assert.ok(await page.getByTestId("lite-badge").isVisible());
    await browser.screenshot(page, "02-dag-list");

    await page.getByLabel("Search Dags").fill("groups");
    await waitFor(async () => (await page.getByTestId("dag-row-e2e_hello").count()) === 0, { message: "the search to filter" });
    await page.getByLabel("Search Dags").fill("");
    await page.getByTestId("dag-row-e2e_hello").waitFor();

    await page.getByLabel("Filter by tag").selectOption("taskflow");
    await waitFor(async () => (await page.getByTestId("dag-row-e2e_groups").count()) === 0, { message: "the tag filter" });
    await page.getByLabel("Filter by tag").selectOption("");

    const toggle = page.getByRole("switch", { name: "Pause e2e_groups" });
    await toggle.click();
    await page.getByRole("switch", { name: "Unpause e2e_groups" }).waitFor();
    assert.equal((await lite.fetchJson("/api/v2/dags/e2e_groups")).body.is_paused, true);
    await page.getByRole("button", { name: "Paused", exact: true }).click();
    await waitFor(async () => (await page.getByTestId("dag-row-e2e_hello").count()) === 0, { message: "the paused filter" });
    await page.getByRole("switch", { name: "Unpause e2e_groups" }).click();
    await page.getByRole("button", { name: "All", exact: true }).click();
    await page.getByTestId("dag-row-e2e_hello").waitFor();
    assert.equal((await lite.fetchJson("/api/v2/dags/e2e_groups")).body.is_paused, false);
  });

  test("a pause from a script shows on the open DAG list through the live stream", async () => {
    const pause = (is_paused) =>
      lite.fetchJson("/api/v2/dags/e2e_hello", {
        method: "PATCH",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ is_paused }),
      });
    await page.goto(lite.url("/dags"));
    await page.getByTestId("live-status").filter({ hasText: "Live" }).waitFor();
    await page.getByRole("switch", { name: "Pause e2e_hello" }).waitFor();
    await page.evaluate(() => {
      window.__sameDocument = true;
    });
    // The page does not poll while the stream is up: only the "dag" event can refresh it.
    assert.equal((await pause(true)).status, 200);
    await page.getByRole("switch", { name: "Unpause e2e_hello" }).waitFor({ timeout: 10_000 });
    assert.equal((await pause(false)).status, 200);
    await page.getByRole("switch", { name: "Pause e2e_hello" }).waitFor({ timeout: 10_000 });
    assert.equal(await page.evaluate(() => window.__sameDocument), true, "the page was not reloaded");
  });

  test("the DAG page shows the grid with groups, the graph, code, details and versions", async () => {
    await page.getByRole("link", { name: "e2e_groups" }).click();
    await page.getByTestId("dag-title").filter({ hasText: "e2e_groups" }).waitFor();
    const grid = page.getByTestId("grid");
    await grid.getByRole("button", { name: "transform" }).waitFor();
    await grid.getByText("square").waitFor();
    await grid.getByRole("button", { name: "transform" }).click();
    await waitFor(async () => (await grid.getByText("square").count()) === 0, { message: "the group to collapse" });
    await grid.getByRole("button", { name: "transform" }).click();
    await browser.screenshot(page, "03-dag-grid");

    await page.getByRole("link", { name: "Graph", exact: true }).click();
    const graph = page.getByTestId("graph");
    await graph.locator('[data-task-id="transform.square"]').waitFor();
    assert.equal(await graph.locator("[data-task-id]").count(), 4);
    assert.equal(await graph.locator('[data-group-id="transform"]').count(), 1);
    await browser.screenshot(page, "04-dag-graph");

    await page.getByRole("link", { name: "Code", exact: true }).click();
    await page.getByTestId("code-view").getByText("def e2e_groups").waitFor();
    await browser.screenshot(page, "05-dag-code");

    await page.getByRole("link", { name: "Details", exact: true }).click();
    await page.getByText("Default args").waitFor();
    await page.getByRole("link", { name: "Versions", exact: true }).click();
    await page.getByTestId("versions-table").getByText("v1").waitFor();
    await page.getByRole("link", { name: "Tasks", exact: true }).click();
    await page.getByTestId("tasks-table").getByText("transform.square", { exact: true }).waitFor();

    await page.goto(lite.url("/dags/e2e_hello/details"));
    await page.getByTestId("doc-md").getByRole("heading", { name: "Hello" }).waitFor();
    await browser.screenshot(page, "06-dag-details");
  });

  test("a triggered run turns green without a reload", async (t) => {
    if (skipWithoutRuns(t)) return;
    await page.goto(lite.url("/dags/e2e_hello"));
    await page.getByTestId("grid").waitFor();
    await page.evaluate(() => {
      window.__sameDocument = true;
    });
    await page.getByTestId("trigger-button").click();
    const dialog = page.getByRole("dialog", { name: "Trigger Dag" });
    await dialog.getByLabel("Configuration JSON").fill('{"greeting": "hi"}');
    await dialog.getByTestId("trigger-confirm").click();
    const shout = page.locator('[data-task-id="shout"][data-run-id]');
    await shout.first().waitFor({ timeout: runDeadline });
    await page.locator('[data-task-id="shout"][data-state="success"]').first().waitFor({ timeout: runDeadline });
    await page.locator('[data-task-id="say_hello"][data-state="success"]').first().waitFor();
    assert.equal(await page.evaluate(() => window.__sameDocument), true, "the page was not reloaded");
    await browser.screenshot(page, "07-grid-after-run");
  });

  test("a run of a task group with a mapped task: summaries in the grid, colours in the graph", async (t) => {
    if (skipWithoutRuns(t)) return;
    await page.goto(lite.url("/dags"));
    await page.getByRole("button", { name: "Trigger e2e_groups" }).click();
    await page.getByRole("dialog", { name: "Trigger Dag" }).getByTestId("trigger-confirm").click();
    await page.getByTestId("dag-title").filter({ hasText: "e2e_groups" }).waitFor();
    await page.locator('[data-task-id="report"][data-state="success"]').waitFor({ timeout: runDeadline });
    await page.locator('[data-task-id="transform"][data-state="success"]').waitFor();
    const square = page.locator('[data-task-id="transform.square"][data-state="success"]');
    assert.match(await square.getAttribute("title"), /3 success/);
    await browser.screenshot(page, "07b-grid-groups-run");

    await page.getByRole("link", { name: "Graph", exact: true }).click();
    await page.getByTestId("graph").locator('[data-task-id="report"][data-state="success"]').waitFor();
    await browser.screenshot(page, "07c-graph-run");

    await page.getByTestId("graph").locator('[data-task-id="transform.square"]').click();
    await page.getByTestId("mapped-indexes").waitFor();
    await page.getByTestId("mapped-indexes").getByRole("link", { name: "2", exact: true }).click();
    await page.getByTestId("ti-title").filter({ hasText: "square [2]" }).waitFor();
    await page.getByRole("link", { name: "XCom", exact: true }).click();
    await page.getByTestId("xcom-table").getByText("9", { exact: true }).waitFor();
  });

  test("a task log tells stdout from stderr, and XCom shows the return value", async (t) => {
    if (skipWithoutRuns(t)) return;
    await page.goto(lite.url("/dags/e2e_hello"));
    await page.locator('[data-task-id="say_hello"][data-state="success"]').first().click();
    await page.getByTestId("ti-title").filter({ hasText: "say_hello" }).waitFor();
    const log = page.getByTestId("log");
    await log.locator('[data-stream="stdout"]', { hasText: "hello from the e2e test" }).waitFor();
    await log.locator('[data-stream="stderr"]', { hasText: "a note on stderr" }).waitFor();
    await browser.screenshot(page, "08-task-instance-log");
    await page.getByRole("link", { name: "XCom", exact: true }).click();
    await page.getByTestId("xcom-table").getByText("return_value").waitFor();
    await page.getByTestId("xcom-table").getByText('"hello"').or(page.getByTestId("xcom-table").getByText("hello", { exact: true })).first().waitFor();
  });

  test("a running task's log grows live and the page follows it to success", async (t) => {
    if (skipWithoutRuns(t)) return;
    const release = join(dags, "release-e2e-waiting");
    writeDag(dags, "e2e_waiting", waitingDag(release));
    await waitFor(async () => (await lite.fetchJson("/api/v2/dags/e2e_waiting")).status === 200, {
      message: "e2e_waiting to register",
    });
    const run = await lite.fetchJson("/api/v2/dags/e2e_waiting/dagRuns", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ logical_date: null }),
    });
    assert.equal(run.status, 200, JSON.stringify(run.body));
    const runId = run.body.dag_run_id;
    const tiPath = `/api/v2/dags/e2e_waiting/dagRuns/${encodeURIComponent(runId)}/taskInstances/wait_for_release`;
    await waitFor(async () => (await lite.fetchJson(tiPath)).body?.state === "running", {
      timeout: runDeadline,
      message: "wait_for_release to run",
    });
    await page.goto(lite.url(`/dags/e2e_waiting/runs/${encodeURIComponent(runId)}/tasks/wait_for_release`));
    const log = page.getByTestId("log");
    await log.locator('[data-stream="stdout"]', { hasText: "waiting for the test" }).waitFor({ timeout: 30_000 });
    await page.getByTestId("ti-state").getByText("running").waitFor();
    await page.evaluate(() => {
      window.__sameDocument = true;
    });
    writeFileSync(release, "go");
    await log.locator('[data-stream="stdout"]', { hasText: "released by the test" }).waitFor({ timeout: 30_000 });
    await page.getByTestId("ti-state").getByText("success").waitFor({ timeout: 30_000 });
    assert.equal(await page.evaluate(() => window.__sameDocument), true, "the page was not reloaded");
  });

  test("clearing a task after a dry-run preview runs it again; a run can be marked failed", async (t) => {
    if (skipWithoutRuns(t)) return;
    await page.goto(lite.url("/dags/e2e_hello"));
    await page.locator('[data-task-id="say_hello"][data-state="success"]').first().click();
    await page.getByTestId("ti-title").filter({ hasText: "say_hello" }).waitFor();
    await page.getByRole("button", { name: "Clear" }).click();
    const dialog = page.getByRole("dialog", { name: "Clear" });
    const preview = dialog.getByTestId("clear-preview");
    await preview.getByText("shout", { exact: true }).waitFor();
    await preview.getByText("say_hello", { exact: true }).waitFor();
    await dialog.getByLabel("Downstream").uncheck();
    await waitFor(async () => (await preview.getByText("shout", { exact: true }).count()) === 0, {
      message: "the preview to drop the downstream task",
    });
    await browser.screenshot(page, "08b-clear-preview");
    await dialog.getByTestId("clear-confirm").click();
    await page.getByRole("button", { name: "Try 2" }).waitFor({ timeout: runDeadline });
    await page.getByTestId("ti-state").getByText("success").waitFor({ timeout: runDeadline });

    await page.getByRole("link", { name: /^manual__/ }).first().click();
    await page.getByRole("button", { name: "Mark failed" }).click();
    await page.getByRole("dialog", { name: "Mark run failed?" }).getByRole("button", { name: "Mark failed" }).click();
    await page.locator(".header-card .state-badge", { hasText: "failed" }).waitFor();
    await browser.screenshot(page, "08c-run-failed");
  });

  test("an import error appears on the home page and clears after the fix", async () => {
    await page.goto(lite.url("/"));
    await page.getByTestId("active-dags-card").waitFor();
    await page.getByTestId("live-status").filter({ hasText: "Live" }).waitFor();
    writeDag(dags, "e2e_hello", brokenHelloDag);
    const card = page.getByTestId("import-errors-card");
    await card.waitFor({ timeout: 20_000 });
    assert.match(await card.textContent(), /1\s*Dag Import Errors/);
    await card.click();
    const dialog = page.getByRole("dialog", { name: "Dag Import Errors" });
    const entry = dialog.getByTestId("import-error");
    await entry.waitFor();
    assert.match(await entry.textContent(), /e2e_hello\/dag\.py/);
    assert.match(await entry.textContent(), /SyntaxError/);
    await browser.screenshot(page, "09-import-errors");
    await dialog.getByRole("button", { name: "Close" }).click();

    writeDag(dags, "e2e_hello", helloDag());
    await card.waitFor({ state: "detached", timeout: 10_000 });
  });

  test("the graph follows a structural change without a reload", async () => {
    await page.goto(lite.url("/dags/e2e_hello/graph"));
    const graph = page.getByTestId("graph");
    await graph.locator('[data-task-id="shout"]').waitFor();
    const before = Number(await graph.getAttribute("data-version"));
    assert.equal(await graph.locator("[data-task-id]").count(), 2);
    await page.evaluate(() => {
      window.__sameDocument = true;
    });
    writeDag(dags, "e2e_hello", helloDag(true));
    await graph.locator('[data-task-id="whisper"]').waitFor({ timeout: 20_000 });
    assert.equal(await graph.locator("[data-task-id]").count(), 3);
    assert.ok(Number(await graph.getAttribute("data-version")) > before);
    await page.getByTestId("version-notice").waitFor();
    assert.equal(await page.evaluate(() => window.__sameDocument), true, "the page was not reloaded");
    await browser.screenshot(page, "10-graph-after-change");
  });

  test("the dark theme applies and is remembered", async () => {
    await page.getByRole("button", { name: "Switch to the dark theme" }).click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "dark");
    await page.goto(lite.url("/dags/e2e_groups/graph"));
    await page.getByTestId("graph").waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "dark");
    await browser.screenshot(page, "11-dark-graph");
    await page.goto(lite.url("/dags/e2e_hello/code"));
    await page.getByTestId("code-view").getByText("def e2e_hello").waitFor();
    await browser.screenshot(page, "12-dark-code");
    await page.getByRole("button", { name: "Switch to the light theme" }).click();
  });

  test("controls are reachable with the keyboard", async () => {
    await page.goto(lite.url("/dags"));
    await page.getByTestId("dag-row-e2e_hello").waitFor();
    const reached = await waitFor(
      async () => {
        await page.keyboard.press("Tab");
        return page.evaluate(() => document.activeElement?.getAttribute("aria-label") === "Search Dags");
      },
      { timeout: 10_000, interval: 0, message: "Tab to reach the search box" },
    );
    assert.ok(reached);
    await page.keyboard.type("groups");
    await waitFor(async () => (await page.getByTestId("dag-row-e2e_hello").count()) === 0, { message: "typing to search" });
    await page.goto(lite.url("/dags/e2e_groups/graph"));
    await page.locator('[data-task-id="numbers"]').focus();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-task-id")), "numbers");
  });

  test("without the event stream the page polls and still follows changes", async () => {
    const offline = await Browser.launch();
    try {
      const polling = await offline.page();
      await polling.route("**/ui/events", (route) => route.abort());
      await polling.goto(lite.url("/dags"));
      await polling.getByTestId("live-status").filter({ hasText: "Polling" }).waitFor();
      await polling.getByRole("switch", { name: "Pause e2e_hello" }).waitFor();
      const paused = await lite.fetchJson("/api/v2/dags/e2e_hello", {
        method: "PATCH",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ is_paused: true }),
      });
      assert.equal(paused.status, 200);
      await polling.getByRole("switch", { name: "Unpause e2e_hello" }).waitFor({ timeout: 10_000 });
      await lite.fetchJson("/api/v2/dags/e2e_hello", {
        method: "PATCH",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ is_paused: false }),
      });
    } finally {
      await offline.close();
    }
  });

  test("no page logged a console error", () => {
    assert.deepEqual(browser.problems, []);
  });
});

// With an admin configured, the server asks for a login: the server's sign-in
// page on navigation, the UI's own when a request gets 401 mid-session.
describe("login", () => {
  let lite;
  let browser;
  let reason = null;
  const password = "e2e-correct-horse-battery";

  before(async () => {
    const home = tempDir("leoflow-e2e-auth-home-");
    const setup = spawnSync(leoflowBinary, ["setup", "--admin-user", "admin", "--password-stdin"], {
      input: `${password}\n`,
      env: { ...process.env, LEOFLOW_HOME: home, NO_COLOR: "1" },
      encoding: "utf8",
    });
    if (setup.status !== 0) {
      reason = `\`leoflow setup\` is not in this build yet (issue 5): ${(setup.stderr || setup.stdout).trim().split("\n")[0]}`;
      return;
    }
    const dags = tempDir("leoflow-e2e-auth-dags-");
    writeDag(dags, "e2e_hello", helloDag());
    lite = await Lite.start({ folders: [dags], home });
    const open = await lite.fetchJson("/api/v2/dags");
    if (open.status !== 401) {
      reason = `the server answers ${open.status} without credentials: login (issue 5) is not enforced in this build`;
      return;
    }
    browser = await Browser.launch();
  });

  after(async () => {
    await browser?.close();
    await lite?.stop();
  });

  test("sign in, use the UI with the CSRF header, get signed out, sign in again, log out", async (t) => {
    if (reason) {
      t.skip(reason);
      return;
    }
    const page = await browser.page();
    await page.goto(lite.url("/dags"));
    await page.getByLabel("Username").fill("admin");
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByTestId("dag-row-e2e_hello").waitFor();
    await page.getByTestId("lite-badge").waitFor();
    await page.getByText("admin", { exact: true }).waitFor();

    await page.getByRole("switch", { name: "Pause e2e_hello" }).click();
    await page.getByRole("switch", { name: "Unpause e2e_hello" }).waitFor();

    // Signed out under the page's feet: a script's unpause sends the "dag"
    // event, and the open list's refetch gets the 401. (Clicking a link
    // instead would race the refetch of the pause above, due 150 ms after
    // its event, which may also be the request that gets the 401.)
    await browser.context.clearCookies();
    const token = await lite.fetchJson("/auth/token", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: "admin", password }),
    });
    assert.equal(token.status, 201);
    const unpause = await lite.fetchJson("/api/v2/dags/e2e_hello", {
      method: "PATCH",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token.body.access_token}` },
      body: JSON.stringify({ is_paused: false }),
    });
    assert.equal(unpause.status, 200);
    await page.getByRole("form", { name: "Sign in" }).waitFor();
    await browser.screenshot(page, "13-login");
    await page.getByLabel("Username").fill("admin");
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("switch", { name: "Pause e2e_hello" }).waitFor();
    await page.getByRole("link", { name: "e2e_hello" }).click();
    await page.getByTestId("dag-title").filter({ hasText: "e2e_hello" }).waitFor();

    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByRole("form", { name: "Sign in" }).waitFor();
    assert.equal((await lite.fetchJson("/api/v2/dags")).status, 401);
    assert.deepEqual(
      browser.problems.filter((p) => !/status of 401/.test(p)),
      [],
    );
  });
});
