import { describe, expect, it } from "vitest";

import {
  errorMessage,
  languageOf,
  markerFor,
  openParamFor,
  parseOpenParam,
  sameProject,
  tracebackFrames,
} from "./watcherOutcome";

const syntaxError = `  File "/srv/dags/hello/dag.py", line 4
    def broken(:
               ^
SyntaxError: invalid syntax`;

const helperError = `Traceback (most recent call last):
  File "/srv/dags/hello/dag.py", line 4, in <module>
    import helpers
  File "/srv/dags/hello/helpers.py", line 2, in <module>
    raise ValueError("boom")
    ~~~~~^^^^^^^^
ValueError: boom`;

describe("tracebacks", () => {
  it("finds every frame", () => {
    expect(tracebackFrames(helperError)).toEqual([
      { file: "/srv/dags/hello/dag.py", line: 4 },
      { file: "/srv/dags/hello/helpers.py", line: 2 },
    ]);
  });

  it("reads the error line, not carets or notes", () => {
    expect(errorMessage(syntaxError)).toBe("SyntaxError: invalid syntax");
    expect(errorMessage(helperError)).toBe("ValueError: boom");
    expect(errorMessage("ImportError: no module\n(hello keeps serving its last good version)\n")).toBe(
      "ImportError: no module",
    );
    expect(errorMessage("")).toBe("the file does not import");
  });

  it("places the marker at the innermost frame in the given file", () => {
    expect(markerFor(syntaxError, "/srv/dags/hello/dag.py")).toEqual({ line: 4, message: "SyntaxError: invalid syntax" });
    expect(markerFor(helperError, "/srv/dags/hello/helpers.py")).toEqual({ line: 2, message: "ValueError: boom" });
    expect(markerFor(helperError, "/srv/dags/hello/dag.py")?.line).toBe(4);
    expect(markerFor(helperError, "/srv/dags/other/dag.py")).toBeNull();
  });
});

describe("which open files an event is about", () => {
  it("matches the DAG file and files in its project folder", () => {
    expect(sameProject("/srv/dags/hello/dag.py", "/srv/dags/hello/dag.py")).toBe(true);
    expect(sameProject("/srv/dags/hello/dag.py", "/srv/dags/hello/lib/util.py")).toBe(true);
    expect(sameProject("/srv/dags/hello/dag.py", "/srv/dags/hello2/dag.py")).toBe(false);
    expect(sameProject("/srv/dags/hello/dag.py", "/srv/dags/other/dag.py")).toBe(false);
  });
});

describe("languages", () => {
  it("picks Python, YAML or plain text by name", () => {
    expect(languageOf("dag.py")).toBe("python");
    expect(languageOf("leoflow.yaml")).toBe("yaml");
    expect(languageOf("config.YML")).toBe("yaml");
    expect(languageOf("README.md")).toBe("text");
  });
});

describe("?open= deep links", () => {
  const roots = [
    { index: 0, name: "dags", path: "/srv/dags" },
    { index: 1, name: "more", path: "/home/me/more" },
  ];

  it("reads root-name paths, absolute paths and plain paths", () => {
    expect(parseOpenParam("more/etl/dag.py", roots)).toEqual({ root: 1, path: "etl/dag.py" });
    expect(parseOpenParam("/srv/dags/hello/dag.py", roots)).toEqual({ root: 0, path: "hello/dag.py" });
    expect(parseOpenParam("hello/dag.py", roots)).toEqual({ root: 0, path: "hello/dag.py" });
    expect(parseOpenParam("/etc/passwd", roots)).toBeNull();
    expect(parseOpenParam("/srv/dagsX/a.py", roots)).toBeNull();
    expect(parseOpenParam("", roots)).toBeNull();
  });

  it("writes the root's name and the path", () => {
    expect(openParamFor(roots[1], "etl/dag.py")).toBe("more/etl/dag.py");
    expect(parseOpenParam(openParamFor(roots[1], "etl/dag.py"), roots)).toEqual({ root: 1, path: "etl/dag.py" });
  });
});
