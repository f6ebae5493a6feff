// YAML highlighting for leoflow.yaml and friends: a small line-based
// tokenizer for CodeMirror's StreamLanguage (keys, comments, quoted strings,
// numbers, booleans and null, anchors, aliases, tags, document markers and
// block scalars). It colours; it does not validate.
import { StreamLanguage, type StreamParser } from "@codemirror/language";

interface YamlState {
  // Indentation of the line that opened a block scalar (| or >); -1 when
  // not inside one.
  blockIndent: number;
  // Whether the rest of the line can still start a key.
  keyPossible: boolean;
}

const scalarWords = new Map([
  ["true", "bool"],
  ["false", "bool"],
  ["yes", "bool"],
  ["no", "bool"],
  ["on", "bool"],
  ["off", "bool"],
  ["null", "null"],
  ["~", "null"],
]);

const numberRe = /^[-+]?(?:0x[0-9a-fA-F]+|0o[0-7]+|(?:\d[\d_]*)?\.?\d+(?:[eE][-+]?\d+)?|\.inf|\.Inf|\.INF|\.nan|\.NaN|\.NAN)$/;

export const yamlParser: StreamParser<YamlState> = {
  name: "yaml",
  startState: () => ({ blockIndent: -1, keyPossible: true }),
  copyState: (s) => ({ ...s }),
  token(stream, state) {
    if (stream.sol()) {
      state.keyPossible = true;
      if (state.blockIndent >= 0) {
        if (stream.indentation() > state.blockIndent || stream.match(/^\s*$/, false)) {
          stream.skipToEnd();
          return "string";
        }
        state.blockIndent = -1;
      }
      if (stream.match(/^(---|\.\.\.)(?=\s|$)/)) return "meta";
    }
    if (stream.eatSpace()) return null;
    const ch = stream.peek();
    if (ch === "#") {
      stream.skipToEnd();
      return "comment";
    }
    if (stream.match(/^-(?=\s|$)/)) {
      state.keyPossible = true;
      return null;
    }
    if (ch === '"' || ch === "'") {
      const quoted = ch === '"' ? /^"(?:[^"\\]|\\.)*"?/ : /^'(?:[^']|'')*'?/;
      stream.match(quoted);
      if (state.keyPossible && stream.match(/^\s*:(?=\s|$)/, false)) return "propertyName";
      state.keyPossible = false;
      return "string";
    }
    if (ch === "&" || ch === "*") {
      stream.next();
      stream.eatWhile(/[^\s,[\]{}]/);
      return "labelName";
    }
    if (ch === "!") {
      stream.next();
      stream.eatWhile(/[^\s,[\]{}]/);
      return "typeName";
    }
    if ((ch === "|" || ch === ">") && stream.match(/^[|>][-+0-9]*\s*(?=#|$)/)) {
      state.blockIndent = stream.indentation();
      return "meta";
    }
    if (ch && "{}[],".includes(ch)) {
      stream.next();
      state.keyPossible = ch !== "]" && ch !== "}";
      return null;
    }
    if (ch === ":") {
      stream.next();
      state.keyPossible = false;
      return null;
    }
    // A plain scalar runs to ": ", " #", a flow indicator or the line's end.
    const start = stream.pos;
    while (!stream.eol()) {
      if (stream.match(/^:(?=\s|$)/, false) || stream.match(/^\s+#/, false)) break;
      const next = stream.peek();
      if (next && "{}[],".includes(next)) break;
      stream.next();
    }
    const word = stream.string.slice(start, stream.pos).trimEnd();
    stream.backUp(stream.pos - start - word.length);
    if (state.keyPossible && stream.match(/^\s*:(?=\s|$)/, false)) {
      state.keyPossible = false;
      return "propertyName";
    }
    state.keyPossible = false;
    const kind = scalarWords.get(word.toLowerCase());
    if (kind) return kind;
    if (numberRe.test(word)) return "number";
    return null;
  },
  languageData: { commentTokens: { line: "#" } },
};

export const yamlLanguage = StreamLanguage.define(yamlParser);
