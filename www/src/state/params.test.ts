// Trigger conf validation against a DAG's params.
import { describe, expect, it } from "vitest";

import { defaultConf, validateConf, type Params } from "./params";

const params: Params = {
  region: { value: "eu", schema: { type: "string", enum: ["eu", "us"] }, description: null },
  batch: { value: 10, schema: { type: "integer", minimum: 1, maximum: 100 }, description: "rows per batch" },
  owner_email: { value: null, schema: { type: "string", pattern: "^[^@]+@[^@]+$" }, description: null },
  note: { value: null, schema: { type: ["null", "string"] }, description: null },
  anything: { value: "x", schema: {}, description: null },
};

describe("defaultConf", () => {
  it("takes each param's default", () => {
    expect(defaultConf(params)).toEqual({ region: "eu", batch: 10, owner_email: null, note: null, anything: "x" });
    expect(defaultConf(null)).toEqual({});
  });
});

describe("validateConf", () => {
  it("accepts a conf that satisfies every param, extra keys included", () => {
    const check = validateConf('{"owner_email": "a@b.c", "batch": 5, "extra": true}', params);
    expect(check.problems).toEqual([]);
    expect(check.conf).toEqual({ owner_email: "a@b.c", batch: 5, extra: true });
  });

  it("names every problem", () => {
    const check = validateConf('{"region": "asia", "batch": 1.5, "owner_email": "nobody"}', params);
    expect(check.conf).toBeNull();
    expect(check.problems).toEqual([
      'region must be one of "eu", "us"',
      "batch must be integer, not number",
      "owner_email must match ^[^@]+@[^@]+$",
    ]);
  });

  it("requires params without a default unless null is allowed", () => {
    expect(validateConf("{}", params).problems).toEqual(["owner_email is required"]);
  });

  it("refuses text that is not a JSON object", () => {
    expect(validateConf("[1]", params).problems).toEqual(["The conf must be a JSON object"]);
    expect(validateConf("{", params).problems[0]).toMatch(/^Not valid JSON/);
    expect(validateConf("", {}).conf).toEqual({});
  });
});
