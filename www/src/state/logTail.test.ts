// Log tailing: full loads, appends by continuation token, and telling
// stdout, stderr and Lite's own lines apart.
import { describe, expect, it } from "vitest";

import { applyLogResponse, emptyLogTail, toLogLine } from "./logTail";

describe("toLogLine", () => {
  it("tells the streams apart", () => {
    expect(toLogLine({ event: "hi", logger: "task.stdout" }, 0)?.stream).toBe("stdout");
    expect(toLogLine({ event: "oops", logger: "task.stderr", level: "error" }, 0)?.stream).toBe("stderr");
    expect(toLogLine({ event: "oops", stream: "stderr" }, 0)?.stream).toBe("stderr");
    expect(toLogLine({ event: "Task started" }, 0)?.stream).toBe("system");
    expect(toLogLine("plain text", 0)?.text).toBe("plain text");
  });

  it("turns group markers into headings and drops their ends", () => {
    expect(toLogLine({ event: "::group::Log message source details" }, 0)).toMatchObject({
      heading: true,
      text: "Log message source details",
    });
    expect(toLogLine({ event: "::endgroup::" }, 0)).toBeNull();
  });
});

describe("applyLogResponse", () => {
  it("replaces on a first load and appends with a token", () => {
    let tail = applyLogResponse(emptyLogTail, { content: [{ event: "a" }, { event: "b" }], continuation_token: "t1" }, null);
    expect(tail.lines.map((l) => l.text)).toEqual(["a", "b"]);
    expect(tail.token).toBe("t1");
    tail = applyLogResponse(tail, { content: [{ event: "c" }], continuation_token: "t2" }, "t1");
    expect(tail.lines.map((l) => [l.key, l.text])).toEqual([
      [0, "a"],
      [1, "b"],
      [2, "c"],
    ]);
    tail = applyLogResponse(tail, { content: [], continuation_token: "t2" }, "t2");
    expect(tail.lines).toHaveLength(3);
  });

  it("takes the whole log when the server sends no token", () => {
    const first = applyLogResponse(emptyLogTail, { content: [{ event: "a" }], continuation_token: null }, null);
    const again = applyLogResponse(first, { content: [{ event: "a" }, { event: "b" }], continuation_token: null }, null);
    expect(again.lines.map((l) => l.text)).toEqual(["a", "b"]);
  });
});
