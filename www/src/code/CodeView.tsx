// Read-only source with Python highlighting and line numbers (the DAG's
// Code tab), following the UI theme.
import { Compartment, EditorState } from "@codemirror/state";
import type { EditorView } from "@codemirror/view";
import { useEffect, useRef } from "react";

import { useDocumentTheme } from "../components/theme";
import { editorExtensions, editorTheme, languageFor, mountEditor } from "./editorSetup";

interface CodeViewProps {
  source: string;
  fileName: string;
}

export default function CodeView({ source, fileName }: CodeViewProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const themeCompartment = useRef(new Compartment());
  const theme = useDocumentTheme();
  const initialTheme = useRef(theme);

  useEffect(() => {
    if (!host.current) return;
    const state = EditorState.create({
      doc: source,
      extensions: editorExtensions({
        readOnly: true,
        theme: initialTheme.current,
        language: languageFor(fileName),
        themeCompartment: themeCompartment.current,
        maxHeight: "70vh",
      }),
    });
    const editor = mountEditor(host.current, state);
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
  }, [source, fileName]);

  useEffect(() => {
    view.current?.dispatch({ effects: themeCompartment.current.reconfigure(editorTheme(theme)) });
  }, [theme]);

  return <div className="code-view" ref={host} data-testid="code-view" />;
}
