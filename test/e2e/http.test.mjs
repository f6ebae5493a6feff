// The UI's server side over plain HTTP against a real `leoflow lite`: the
// embedded bundle's types, caching, gzip and CSP; SPA fallback that never
// shadows /api/; the /ui/ views; and the Server-Sent Events stream.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { helloDag, groupsDag } from "./lib/dags.mjs";
import { Lite, tempDir, waitFor, writeDag } from "./lib/lite.mjs";

describe("UI serving", () => {
  let lite;
  let dags;
  let indexHtml;

  before(async () => {
    dags = tempDir("leoflow-e2e-dags-");
    writeDag(dags, "e2e_hello", helloDag());
    writeDag(dags, "e2e_groups", groupsDag);
    lite = await Lite.start({ folders: [dags] });
    await waitFor(async () => (await lite.fetchJson("/api/v2/dags")).body?.total_entries === 2, {
      message: "both DAGs to register",
    });
  });

  after(async () => {
    await lite?.stop();
  });

  test("index.html is never cached and carries a strict CSP", async () => {
    const response = await fetch(lite.url("/"));
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type"), /^text\/html/);
    assert.equal(response.headers.get("cache-control"), "no-store");
    const csp = response.headers.get("content-security-policy");
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(response.headers.get("x-content-type-options"), "nosniff");
    indexHtml = await response.text();
    assert.match(indexHtml, /<script type="module" crossorigin src="\/assets\/[^"]+\.js"><\/script>/);
    assert.doesNotMatch(indexHtml, /<script(?![^>]*\bsrc=)[^>]*>/, "no inline script");
  });

  test("hashed assets are immutable, typed, revalidatable and gzipped when accepted", async () => {
    const script = indexHtml.match(/src="(\/assets\/[^"]+\.js)"/)[1];
    const plain = await fetch(lite.url(script), { headers: { "Accept-Encoding": "identity" } });
    assert.equal(plain.status, 200);
    assert.equal(plain.headers.get("content-type"), "text/javascript; charset=utf-8");
    assert.equal(plain.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assert.equal(plain.headers.get("content-encoding"), null);
    const etag = plain.headers.get("etag");
    assert.ok(etag, "an ETag");
    const body = await plain.text();

    const zipped = await fetch(lite.url(script), { headers: { "Accept-Encoding": "gzip, deflate" } });
    assert.equal(zipped.headers.get("content-encoding"), "gzip");
    assert.equal(zipped.headers.get("vary"), "Accept-Encoding");
    assert.equal(await zipped.text(), body, "the gzip twin holds the same bytes");

    const refused = await fetch(lite.url(script), { headers: { "Accept-Encoding": "gzip;q=0" } });
    assert.equal(refused.headers.get("content-encoding"), null);
    await refused.arrayBuffer();

    const again = await fetch(lite.url(script), { headers: { "If-None-Match": etag } });
    assert.equal(again.status, 304);

    const css = indexHtml.match(/href="(\/assets\/[^"]+\.css)"/)[1];
    const style = await fetch(lite.url(css));
    assert.equal(style.headers.get("content-type"), "text/css; charset=utf-8");
    await style.arrayBuffer();

    const icon = await fetch(lite.url("/favicon.svg"));
    assert.equal(icon.headers.get("content-type"), "image/svg+xml");
    assert.equal(icon.headers.get("cache-control"), "no-cache");
    await icon.arrayBuffer();
  });

  test("UI paths fall back to index.html; HEAD has no body", async () => {
    for (const path of ["/dags", "/login", "/dags/e2e_hello", "/dags/e2e_hello/graph", "/dags/e2e_hello/runs/manual__2025-01-01T00%3A00%3A00%2B00%3A00/tasks/say_hello"]) {
      const response = await fetch(lite.url(path));
      assert.equal(response.status, 200, path);
      assert.equal(await response.text(), indexHtml, path);
    }
    const head = await fetch(lite.url("/dags"), { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal((await head.text()).length, 0);
  });

  test("the fallback never shadows /api/, /ui/ or missing files", async () => {
    for (const path of ["/api", "/api/v2/nope", "/api/v2/dags/e2e_hello/nope", "/api/v2/dags/a/b/c/d/e/f", "/ui", "/ui/nope", "/auth"]) {
      const { status, headers, body } = await lite.fetchJson(path);
      assert.equal(status, 404, path);
      assert.match(headers.get("content-type"), /^application\/json/, path);
      assert.equal(typeof body.detail, "string", path);
    }
    for (const path of ["/assets/missing-abc123.js", "/robots.txt"]) {
      const { status, headers } = await lite.fetchJson(path);
      assert.equal(status, 404, path);
      assert.doesNotMatch(headers.get("content-type"), /html/, path);
    }
  });

  test("/ui/structure gives tasks, groups and edges", async () => {
    const { status, body } = await lite.fetchJson("/ui/structure/e2e_groups");
    assert.equal(status, 200);
    assert.equal(body.version_number, 1);
    assert.deepEqual(body.task_groups, [{ group_id: "transform", label: "transform", parent: null, tooltip: "" }]);
    const square = body.tasks.find((t) => t.task_id === "transform.square");
    assert.equal(square.label, "square");
    assert.equal(square.task_group, "transform");
    assert.equal(square.is_mapped, true);
    assert.deepEqual(body.edges.find((e) => e.target_id === "transform.square"), { source_id: "numbers", target_id: "transform.square" });
    assert.equal((await lite.fetchJson("/ui/structure/nope")).status, 404);
  });

  test("/ui/grid, /ui/dashboard and /ui/recent_runs answer", async () => {
    const grid = await lite.fetchJson("/ui/grid/e2e_hello?limit=5");
    assert.equal(grid.status, 200);
    assert.ok(Array.isArray(grid.body.dag_runs));
    assert.ok(Array.isArray(grid.body.task_instances));
    assert.equal((await lite.fetchJson("/ui/grid/nope")).status, 404);

    const dashboard = await lite.fetchJson("/ui/dashboard");
    assert.equal(dashboard.status, 200);
    assert.equal(dashboard.body.dags.total, 2);
    assert.equal(dashboard.body.dags.active + dashboard.body.dags.paused, 2);
    assert.equal(typeof dashboard.body.task_instance_states.success, "number");

    const recent = await lite.fetchJson("/ui/recent_runs?dag_ids=e2e_hello,e2e_groups");
    assert.equal(recent.status, 200);
    assert.deepEqual(Object.keys(recent.body.dag_runs).sort(), ["e2e_groups", "e2e_hello"]);
  });

  test("/ui/events streams the engine's events", async () => {
    const controller = new AbortController();
    const response = await fetch(lite.url("/ui/events"), { signal: controller.signal });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type"), /^text\/event-stream/);
    assert.equal(response.headers.get("cache-control"), "no-cache");
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let received = "";
    const readUntil = async (pattern) =>
      waitFor(
        async () => {
          if (pattern.test(received)) return true;
          const { value, done } = await reader.read();
          if (done) throw new Error("the stream ended");
          received += decoder.decode(value, { stream: true });
          return pattern.test(received);
        },
        { timeout: 20_000, message: `the event stream to carry ${pattern}` },
      );
    await readUntil(/^retry: \d+/m);
    writeDag(dags, "e2e_late", helloDag().replaceAll("e2e_hello", "e2e_late"));
    await readUntil(/event: dag_version\ndata: \{[^\n]*"dag_id":"e2e_late"/);
    assert.match(received, /id: \d+\nevent: dag_version\n/);
    controller.abort();
  });
});
