// CodeMirror 6 set-up shared by the read-only Code tab and the /ide editor:
// line numbers, Python highlighting, search, bracket matching, the UI's light
// and dark themes (switchable at run time through a Compartment), and
// mounting inside a shadow root so CodeMirror's generated styles go into a
// constructed stylesheet, which the strict CSP (style-src 'self') allows,
// instead of a <style> element, which it blocks.
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { python } from "@codemirror/lang-python";
import { bracketMatching, HighlightStyle, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { Compartment, EditorState, type Extension } from "@codemirror/state";
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from "@codemirror/view";
import { tags as t } from "@lezer/highlight";

export type EditorTheme = "light" | "dark";

const lightHighlight = HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword, t.operatorKeyword, t.definitionKeyword], color: "#0033b3" },
  { tag: [t.string, t.special(t.string)], color: "#a31515" },
  { tag: t.comment, color: "#2e7d32", fontStyle: "italic" },
  { tag: [t.number, t.bool, t.null], color: "#1750eb" },
  { tag: [t.function(t.variableName), t.function(t.propertyName)], color: "#795e26" },
  { tag: [t.className, t.typeName], color: "#267f99" },
  { tag: t.meta, color: "#9e880d" },
  { tag: t.self, color: "#94558d" },
]);

const darkHighlight = HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword, t.operatorKeyword, t.definitionKeyword], color: "#569cd6" },
  { tag: [t.string, t.special(t.string)], color: "#ce9178" },
  { tag: t.comment, color: "#6a9955", fontStyle: "italic" },
  { tag: [t.number, t.bool, t.null], color: "#b5cea8" },
  { tag: [t.function(t.variableName), t.function(t.propertyName)], color: "#dcdcaa" },
  { tag: [t.className, t.typeName], color: "#4ec9b0" },
  { tag: t.meta, color: "#d7ba7d" },
  { tag: t.self, color: "#c586c0" },
]);

function chrome(dark: boolean): Extension {
  return EditorView.theme(
    {
      "&": { backgroundColor: "var(--code-bg)", color: "var(--text)", fontSize: "12.5px" },
      ".cm-content": { fontFamily: 'ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace', caretColor: "var(--text)" },
      ".cm-gutters": { backgroundColor: "var(--surface-2)", color: "var(--muted)", borderRight: "1px solid var(--border)" },
      ".cm-activeLine": { backgroundColor: dark ? "#ffffff0a" : "#0000000a" },
      ".cm-activeLineGutter": { backgroundColor: dark ? "#ffffff12" : "#00000010" },
      "&.cm-focused .cm-selectionBackground, .cm-selectionBackground": { backgroundColor: dark ? "#264f78" : "#add6ff" },
      ".cm-scroller": { lineHeight: "1.5", overflow: "auto" },
    },
    { dark },
  );
}

export function editorTheme(theme: EditorTheme): Extension {
  const dark = theme === "dark";
  return [chrome(dark), syntaxHighlighting(dark ? darkHighlight : lightHighlight)];
}

// Language support by file name: Python for .py; plain text otherwise.
export function languageFor(fileName: string): Extension {
  return fileName.endsWith(".py") ? python() : [];
}

export interface EditorOptions {
  readOnly: boolean;
  theme: EditorTheme;
  language: Extension;
  themeCompartment: Compartment;
  // CSS height limit of the editor (it scrolls inside); none by default.
  maxHeight?: string;
  extra?: Extension;
}

export function editorExtensions(options: EditorOptions): Extension {
  const editing: Extension = options.readOnly
    ? [EditorState.readOnly.of(true), EditorView.editable.of(false)]
    : [history(), indentOnInput(), keymap.of(historyKeymap)];
  return [
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightActiveLine(),
    drawSelection(),
    bracketMatching(),
    highlightSelectionMatches(),
    keymap.of([...defaultKeymap, ...searchKeymap]),
    options.language,
    editing,
    options.themeCompartment.of(editorTheme(options.theme)),
    options.maxHeight ? EditorView.theme({ "&": { maxHeight: options.maxHeight } }) : [],
    options.extra ?? [],
  ];
}

// Creates the editor inside `host`'s (open) shadow root, replacing whatever
// was there. The page's CSS custom properties (--code-bg, --text, ...) reach
// into the shadow root, so the themes above follow the UI's.
export function mountEditor(host: HTMLElement, state: EditorState): EditorView {
  const shadow = host.shadowRoot ?? host.attachShadow({ mode: "open" });
  const parent = document.createElement("div");
  shadow.replaceChildren(parent);
  return new EditorView({ state, parent, root: shadow });
}
