import { StringStream } from "@codemirror/language";
import { describe, expect, it } from "vitest";

import { yamlParser } from "./yamlLanguage";

// Runs the tokenizer over `text`: the styled pieces as [text, style].
function tokens(text: string): Array<[string, string]> {
  const state = yamlParser.startState!(2);
  const out: Array<[string, string]> = [];
  for (const line of text.split("\n")) {
    const stream = new StringStream(line, 2, 2);
    if (!line) yamlParser.blankLine?.(state, 2);
    while (!stream.eol()) {
      const style = yamlParser.token(stream, state);
      if (stream.pos === stream.start) throw new Error(`no progress at ${stream.pos} in ${JSON.stringify(line)}`);
      if (style) out.push([stream.current(), style]);
      stream.start = stream.pos;
    }
  }
  return out;
}

describe("YAML highlighting", () => {
  it("styles keys, values, comments and markers", () => {
    const text = [
      "---",
      "# a project",
      "dag_id: etl  # trailing",
      "retries: 3",
      "catchup: false",
      "owner: ~",
      "ratio: 0.5",
      'description: "a \\"quoted\\" text"',
      "'quoted key': x",
      "dependencies:",
      "  - requests==2.31",
      "  - name: pandas",
      "defaults: &base {a: 1, b: [x, y]}",
      "other: *base",
      "tagged: !secret value",
    ].join("\n");
    expect(tokens(text)).toEqual([
      ["---", "meta"],
      ["# a project", "comment"],
      ["dag_id", "propertyName"],
      ["# trailing", "comment"],
      ["retries", "propertyName"],
      ["3", "number"],
      ["catchup", "propertyName"],
      ["false", "bool"],
      ["owner", "propertyName"],
      ["~", "null"],
      ["ratio", "propertyName"],
      ["0.5", "number"],
      ["description", "propertyName"],
      ['"a \\"quoted\\" text"', "string"],
      ["'quoted key'", "propertyName"],
      ["dependencies", "propertyName"],
      ["name", "propertyName"],
      ["defaults", "propertyName"],
      ["&base", "labelName"],
      ["a", "propertyName"],
      ["1", "number"],
      ["b", "propertyName"],
      ["other", "propertyName"],
      ["*base", "labelName"],
      ["tagged", "propertyName"],
      ["!secret", "typeName"],
    ]);
  });

  it("treats a block scalar's lines as one string", () => {
    const text = ["doc_md: |", "  # not a comment", "  key: not a key", "", "next: 1"].join("\n");
    expect(tokens(text)).toEqual([
      ["doc_md", "propertyName"],
      ["|", "meta"],
      ["  # not a comment", "string"],
      ["  key: not a key", "string"],
      ["next", "propertyName"],
      ["1", "number"],
    ]);
  });
});
