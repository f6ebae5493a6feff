// The IDE's CodeMirror set-up on top of the shared one (code/editorSetup.ts):
// editable, Tab indents, Ctrl/⌘-S saves, Python or YAML highlighting, and
// the watcher's parse error shown where it is — a marker in the gutter, the
// line tinted, the message under it. The marker follows edits until the
// next outcome replaces or clears it.
import { indentWithTab } from "@codemirror/commands";
import { python } from "@codemirror/lang-python";
import { HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { Compartment, EditorState, Prec, RangeSet, StateEffect, StateField, type Extension } from "@codemirror/state";
import { Decoration, EditorView, gutter, GutterMarker, keymap, WidgetType, type DecorationSet } from "@codemirror/view";
import { tags as t } from "@lezer/highlight";

import { editorExtensions, type EditorTheme } from "../code/editorSetup";
import { languageOf, type ErrorMarker } from "./watcherOutcome";
import { yamlLanguage } from "./yamlLanguage";

// Sets (or, with null, clears) the error shown in the editor.
export const setErrorMarker = StateEffect.define<ErrorMarker | null>();

interface PlacedMarker {
  pos: number; // start of the marked line, mapped through edits
  line: number; // the line the watcher reported
  message: string;
}

class ErrorGutterMarker extends GutterMarker {
  constructor(readonly marker: PlacedMarker) {
    super();
  }
  eq(other: ErrorGutterMarker) {
    return other.marker === this.marker;
  }
  toDOM() {
    const el = document.createElement("span");
    el.className = "ide-error-marker";
    el.dataset.line = String(this.marker.line);
    el.title = this.marker.message;
    el.setAttribute("aria-label", `Error on line ${this.marker.line}: ${this.marker.message}`);
    el.textContent = "✗";
    return el;
  }
}

// Keeps the gutter as wide as a marker when there is none.
class SpacerMarker extends GutterMarker {
  toDOM() {
    const el = document.createElement("span");
    el.textContent = "✗";
    el.style.padding = "0 3px";
    return el;
  }
}

class ErrorMessageWidget extends WidgetType {
  constructor(readonly marker: PlacedMarker) {
    super();
  }
  eq(other: ErrorMessageWidget) {
    return other.marker === this.marker;
  }
  toDOM() {
    const el = document.createElement("div");
    el.className = "ide-error-message";
    el.dataset.line = String(this.marker.line);
    el.setAttribute("role", "alert");
    el.textContent = `line ${this.marker.line}: ${this.marker.message}`;
    return el;
  }
  ignoreEvent() {
    return false;
  }
}

const errorField = StateField.define<PlacedMarker | null>({
  create: () => null,
  update(value, tr) {
    for (const effect of tr.effects) {
      if (!effect.is(setErrorMarker)) continue;
      if (!effect.value) return null;
      const doc = tr.state.doc;
      const line = doc.line(Math.min(Math.max(effect.value.line, 1), doc.lines));
      return { pos: line.from, line: effect.value.line, message: effect.value.message };
    }
    if (value && tr.docChanged) return { ...value, pos: tr.changes.mapPos(value.pos, -1) };
    return value;
  },
});

const errorDecorations = EditorView.decorations.compute([errorField], (state): DecorationSet => {
  const marker = state.field(errorField);
  if (!marker) return Decoration.none;
  const line = state.doc.lineAt(Math.min(marker.pos, state.doc.length));
  return Decoration.set([
    Decoration.line({ class: "cm-ide-error-line" }).range(line.from),
    Decoration.widget({ widget: new ErrorMessageWidget(marker), block: true, side: 1 }).range(line.to),
  ]);
});

const errorGutter = gutter({
  class: "cm-ide-error-gutter",
  markers(view) {
    const marker = view.state.field(errorField);
    if (!marker) return RangeSet.empty;
    const line = view.state.doc.lineAt(Math.min(marker.pos, view.state.doc.length));
    return RangeSet.of([new ErrorGutterMarker(marker).range(line.from)]);
  },
  initialSpacer: () => new SpacerMarker(),
});

const errorTheme = EditorView.baseTheme({
  ".cm-ide-error-gutter": { minWidth: "16px" },
  ".ide-error-marker": { color: "var(--danger)", fontWeight: "700", cursor: "help", padding: "0 3px" },
  ".cm-ide-error-line": { backgroundColor: "color-mix(in srgb, var(--danger) 12%, transparent)" },
  ".ide-error-message": {
    color: "var(--danger)",
    backgroundColor: "var(--danger-bg)",
    borderLeft: "3px solid var(--danger)",
    padding: "2px 8px",
    margin: "2px 0",
    fontFamily: "ui-monospace, Menlo, Consolas, monospace",
    whiteSpace: "pre-wrap",
  },
});

// The editor fills its pane and scrolls inside it.
const fillPane = EditorView.theme({ "&": { height: "100%", flex: "1", minHeight: "0", minWidth: "0" } });

// YAML keys and a few tokens the shared highlight styles leave plain.
const extraHighlight = HighlightStyle.define([
  { tag: t.propertyName, color: "var(--accent)" },
  { tag: [t.labelName, t.typeName], color: "var(--muted)", fontStyle: "italic" },
]);

export function ideLanguage(fileName: string): Extension {
  switch (languageOf(fileName)) {
    case "python":
      return python();
    case "yaml":
      return yamlLanguage;
    default:
      return [];
  }
}

export interface IdeEditorOptions {
  fileName: string;
  content: string;
  theme: EditorTheme;
  themeCompartment: Compartment;
  onSave: () => void;
  onChange: (state: EditorState) => void;
}

// A new editor state for one open file (its own undo history).
export function ideEditorState(options: IdeEditorOptions): EditorState {
  return EditorState.create({
    doc: options.content,
    extensions: editorExtensions({
      readOnly: false,
      theme: options.theme,
      language: ideLanguage(options.fileName),
      themeCompartment: options.themeCompartment,
      extra: [
        Prec.highest(
          keymap.of([
            {
              key: "Mod-s",
              preventDefault: true,
              run: () => {
                options.onSave();
                return true;
              },
            },
          ]),
        ),
        keymap.of([indentWithTab]),
        syntaxHighlighting(extraHighlight),
        errorField,
        errorDecorations,
        errorGutter,
        errorTheme,
        fillPane,
        EditorView.contentAttributes.of({ "aria-label": `Contents of ${options.fileName}` }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) options.onChange(update.state);
        }),
      ],
    }),
  });
}
