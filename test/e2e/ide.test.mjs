// The /ide editor in a real browser (Debian's Chromium) against a real
// `leoflow lite` on a temporary home with a DAG project written here: open
// the DAG from the tree, break it, save with Ctrl-S, see the error marked at
// its line, fix it, see "registered version 2" and the new task in the DAG's
// graph; a change on disk turns a save into a conflict resolved by reload or
// overwrite; new file (YAML), rename and delete from the tree; a clean
// console. Screenshots go to the artifacts folder.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { Browser } from "./lib/browser.mjs";
import { Lite, tempDir, waitFor, writeDag } from "./lib/lite.mjs";

// Line 16 is the call that wires the two tasks.
const ideDag = `"""A small pipeline the IDE test edits."""
from datetime import datetime

from airflow.sdk import dag, task


@dag(schedule=None, start_date=datetime(2025, 1, 1), catchup=False, tags=["e2e"])
def e2e_ide():
    @task
    def extract() -> int:
        return 1

    @task
    def load(n: int) -> None:
        print(n)
    load(extract())


e2e_ide()
`;

const brokenLine = 16;

describe("the IDE in Chromium", () => {
  let lite;
  let dags;
  let dagFile;
  let browser;
  let page;

  before(async () => {
    dags = tempDir("leoflow-e2e-ide-");
    dagFile = writeDag(dags, "e2e_ide", ideDag);
    lite = await Lite.start({ folders: [dags] });
    await waitFor(async () => (await lite.fetchJson("/api/v2/dags/e2e_ide")).status === 200, {
      timeout: 60_000,
      message: "the DAG to register",
    });
    browser = await Browser.launch();
    page = await browser.page();
  });

  after(async () => {
    await browser?.close();
    await lite?.stop();
  });

  const editor = () => page.locator(".cm-content");
  const outcome = () => page.getByTestId("ide-outcome");
  const treeRow = (path) => page.getByTestId("ide-tree").locator(`[data-path="${path}"] > .tree-row`);

  test("the editor opens a DAG from the tree", async () => {
    await page.goto(lite.url("/ide"));
    await page.getByTestId("lite-badge").waitFor();
    await treeRow("e2e_ide").click();
    await treeRow("e2e_ide/dag.py").click();
    await editor().getByText("def e2e_ide():").waitFor();
    await page.getByTestId("tab-e2e_ide/dag.py").waitFor();
    await waitFor(() => new URL(page.url()).searchParams.get("open")?.endsWith("/e2e_ide/dag.py"), {
      message: "the address to name the open file",
    });
    assert.equal(await page.getByTestId("dirty-marker").count(), 0);
    assert.match(await page.locator(".ide-file-actions").textContent(), /Python/);
    await browser.screenshot(page, "ide-01-open");
  });

  test("a syntax error is marked at its line; the fix registers a version the DAG page shows", async () => {
    // Break it: drop the closing parenthesis of line 16.
    await editor().locator(".cm-line", { hasText: "load(extract())" }).click();
    await page.keyboard.press("End");
    await page.keyboard.press("Backspace");
    await page.getByTestId("dirty-marker").waitFor();
    await page.keyboard.press("Control+S");

    const marker = page.locator(".ide-error-marker");
    await marker.waitFor({ timeout: 60_000 });
    assert.equal(await marker.getAttribute("data-line"), String(brokenLine));
    const message = page.locator(".ide-error-message");
    assert.match(await message.textContent(), new RegExp(`^line ${brokenLine}: SyntaxError`));
    assert.match(await outcome().textContent(), new RegExp(`Parse error on line ${brokenLine}: SyntaxError`));
    // The marker sits on the broken line itself.
    const markerBox = await marker.boundingBox();
    const lineBox = await editor().locator(".cm-line", { hasText: "load(extract()" }).boundingBox();
    assert.ok(Math.abs(markerBox.y + markerBox.height / 2 - (lineBox.y + lineBox.height / 2)) < lineBox.height,
      "the marker is level with the broken line");
    assert.equal(await page.getByTestId("dirty-marker").count(), 0);
    // One Ctrl-S is one save (a second one with the old etag would conflict).
    assert.equal(await page.getByTestId("ide-conflict").count(), 0);
    assert.match(readFileSync(dagFile, "utf8"), /load\(extract\(\)\n/);
    await browser.screenshot(page, "ide-02-parse-error");

    // Fix it with one more task: select the line and type its replacement.
    await editor().locator(".cm-line", { hasText: "load(extract()" }).click();
    await page.keyboard.press("Alt+L");
    await page.keyboard.insertText('    n = extract()\n    load(n)\n    load.override(task_id="load_twice")(n)\n');
    await page.keyboard.press("Control+S");
    await outcome().filter({ hasText: "e2e_ide: registered version 2" }).waitFor({ timeout: 60_000 });
    assert.equal(await page.locator(".ide-error-marker").count(), 0);
    assert.equal(await page.locator(".ide-error-message").count(), 0);
    await browser.screenshot(page, "ide-03-registered");

    await page.goto(lite.url("/dags/e2e_ide/graph"));
    const graph = page.getByTestId("graph");
    await graph.locator('[data-task-id="load_twice"]').waitFor();
    assert.equal(await graph.locator("[data-task-id]").count(), 3);
  });

  test("a file changed on disk since it was opened: reload or overwrite", async () => {
    await page.goto(lite.url(`/ide?open=${encodeURIComponent(dagFile)}`));
    await editor().getByText("load_twice").waitFor();
    const onDisk = readFileSync(dagFile, "utf8");

    await editor().locator(".cm-line", { hasText: "e2e_ide()" }).last().click();
    await page.keyboard.press("End");
    await page.keyboard.insertText("  # from the browser");
    writeFileSync(dagFile, onDisk.replace("e2e_ide()\n", "e2e_ide()  # from disk\n"));
    await page.keyboard.press("Control+S");
    const conflict = page.getByTestId("ide-conflict");
    await conflict.waitFor();
    assert.match(await conflict.textContent(), /changed on disk since you opened it/);
    assert.match(readFileSync(dagFile, "utf8"), /# from disk/);
    await browser.screenshot(page, "ide-04-conflict");

    await conflict.getByRole("button", { name: "Reload from disk" }).click();
    await editor().getByText("# from disk").waitFor();
    assert.equal(await editor().getByText("# from the browser").count(), 0);
    assert.equal(await page.getByTestId("dirty-marker").count(), 0);

    // Undo brings the edits back; a second change on disk, then overwrite.
    await editor().click();
    await page.keyboard.press("Control+Z");
    await editor().getByText("# from the browser").waitFor();
    writeFileSync(dagFile, onDisk.replace("e2e_ide()\n", "e2e_ide()  # from disk again\n"));
    await page.keyboard.press("Control+S");
    await conflict.waitFor();
    await conflict.getByRole("button", { name: "Overwrite" }).click();
    await waitFor(() => readFileSync(dagFile, "utf8").includes("# from the browser"), { message: "the overwrite" });
    // The banner goes once the save's answer is in (the file may be written first).
    await conflict.waitFor({ state: "detached" });
    assert.doesNotMatch(readFileSync(dagFile, "utf8"), /from disk/);
  });

  test("new file with YAML highlighting, rename and delete from the tree", async () => {
    await page.goto(lite.url("/ide"));
    await treeRow("e2e_ide").click();
    await page.getByRole("button", { name: "New file" }).click();
    const dialog = page.getByRole("dialog", { name: "New file" });
    await dialog.getByLabel(/Name/).fill("settings.yaml");
    await dialog.getByRole("button", { name: "Create" }).click();
    await page.getByTestId("tab-e2e_ide/settings.yaml").waitFor();
    assert.ok(existsSync(join(dags, "e2e_ide", "settings.yaml")));
    await editor().click();
    await page.keyboard.insertText("retries: 3  # a comment\nowner: data\n");
    await page.keyboard.press("Control+S");
    await waitFor(() => readFileSync(join(dags, "e2e_ide", "settings.yaml"), "utf8").includes("retries: 3"), {
      message: "the save",
    });
    assert.match(await page.locator(".ide-file-actions").textContent(), /YAML/);
    // Highlighted: the key and the comment are their own spans.
    assert.ok((await editor().locator(".cm-line span", { hasText: "retries" }).count()) > 0);
    assert.ok((await editor().locator(".cm-line span", { hasText: "# a comment" }).count()) > 0);

    await treeRow("e2e_ide/settings.yaml").click();
    await page.getByRole("button", { name: "Rename" }).click();
    const rename = page.getByRole("dialog", { name: "Rename settings.yaml" });
    await rename.getByLabel("New path").fill("e2e_ide/renamed.yaml");
    await rename.getByRole("button", { name: "Rename" }).click();
    await treeRow("e2e_ide/renamed.yaml").waitFor();
    await page.getByTestId("tab-e2e_ide/renamed.yaml").waitFor();
    assert.ok(existsSync(join(dags, "e2e_ide", "renamed.yaml")));
    assert.ok(!existsSync(join(dags, "e2e_ide", "settings.yaml")));

    await page.getByRole("button", { name: "Delete" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete file" });
    await confirm.getByRole("button", { name: "Delete" }).click();
    await waitFor(async () => (await treeRow("e2e_ide/renamed.yaml").count()) === 0, { message: "the row to go" });
    assert.ok(!existsSync(join(dags, "e2e_ide", "renamed.yaml")));
    assert.equal(await page.getByTestId("tab-e2e_ide/renamed.yaml").count(), 0);
  });

  test("the editor follows the dark theme", async () => {
    await page.goto(lite.url(`/ide?open=${encodeURIComponent(dagFile)}`));
    await editor().getByText("def e2e_ide():").waitFor();
    await page.getByRole("button", { name: "Switch to the dark theme" }).click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "dark");
    const background = await page.locator(".cm-editor").evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.equal(background, "rgb(19, 26, 36)");
    await browser.screenshot(page, "ide-05-dark");
    await page.getByRole("button", { name: "Switch to the light theme" }).click();
  });

  test("no page logged a console error", () => {
    // The refused saves above are answered 409 on purpose; Chromium logs
    // every 4xx answer to a fetch.
    assert.deepEqual(
      browser.problems.filter((p) => !/status of 409/.test(p)),
      [],
    );
  });
});
