// The file tree: each watched folder as a root, folders listed only when
// opened (one request per folder), files opened in the editor on click or
// Enter. Selection says where "new file" and "new folder" go and what
// "rename" and "delete" act on. The tree is a WAI-ARIA tree: arrow keys
// move, Right/Left open and close folders.
import { useQuery } from "@tanstack/react-query";
import { useRef, type KeyboardEvent } from "react";

import { ChevronDown, ChevronRight } from "../components/Icons";
import { ideApi, ideKeys, type IdeEntry, type IdeRoot } from "./ideApi";

export interface TreeSelection {
  root: number;
  path: string; // "" is the root itself
  type: "folder" | "file" | "symlink" | "other";
}

export function entryKey(root: number, path: string): string {
  return `${root}:${path}`;
}

interface FileTreeProps {
  roots: IdeRoot[];
  expanded: Set<string>;
  selected: TreeSelection | null;
  openKey: string | null;
  dirtyKeys: Set<string>;
  onToggle: (root: number, path: string) => void;
  onSelect: (selection: TreeSelection) => void;
  onOpen: (root: number, path: string) => void;
}

export function FileTree(props: FileTreeProps) {
  const treeRef = useRef<HTMLUListElement>(null);

  // Arrow keys move between visible rows; Right/Left open and close folders.
  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    const rows = Array.from(treeRef.current?.querySelectorAll<HTMLElement>("[role=treeitem] > .tree-row") ?? []);
    const index = rows.findIndex((r) => r === document.activeElement);
    if (index < 0) return;
    const row = rows[index];
    const item = row.parentElement!;
    if (e.key === "ArrowDown" && index + 1 < rows.length) rows[index + 1].focus();
    else if (e.key === "ArrowUp" && index > 0) rows[index - 1].focus();
    else if (e.key === "ArrowRight" && item.getAttribute("aria-expanded") === "false") row.click();
    else if (e.key === "ArrowLeft" && item.getAttribute("aria-expanded") === "true") row.click();
    else return;
    e.preventDefault();
  };

  return (
    <ul className="ide-tree" role="tree" aria-label="Files" ref={treeRef} onKeyDown={onKeyDown} data-testid="ide-tree">
      {props.roots.map((root) => (
        <FolderNode key={root.index} root={root.index} path="" label={root.name} title={root.path} depth={0} {...props} />
      ))}
    </ul>
  );
}

interface FolderNodeProps extends FileTreeProps {
  root: number;
  path: string;
  label: string;
  title?: string;
  depth: number;
}

function FolderNode(props: FolderNodeProps) {
  const { root, path, label, depth, expanded, selected } = props;
  const key = entryKey(root, path);
  const isOpen = expanded.has(key);
  const isSelected = selected?.root === root && selected.path === path;
  return (
    <li role="treeitem" aria-expanded={isOpen} aria-selected={isSelected} data-path={path} data-root={root}>
      <div
        className={`tree-row folder${isSelected ? " selected" : ""}${depth === 0 ? " root" : ""}`}
        style={{ paddingLeft: 6 + depth * 14 }}
        tabIndex={0}
        title={props.title}
        onClick={() => {
          props.onSelect({ root, path, type: "folder" });
          props.onToggle(root, path);
        }}
        onKeyDown={(e) => {
          if (e.key === "Enter" || e.key === " ") {
            e.preventDefault();
            props.onSelect({ root, path, type: "folder" });
            props.onToggle(root, path);
          }
        }}
      >
        {isOpen ? <ChevronDown /> : <ChevronRight />}
        <span className="tree-name">{label}</span>
      </div>
      {isOpen ? <FolderChildren {...props} /> : null}
    </li>
  );
}

function FolderChildren(props: FolderNodeProps) {
  const { root, path, depth } = props;
  const listing = useQuery({ queryKey: ideKeys.folder(root, path), queryFn: () => ideApi.list(root, path) });
  if (listing.isPending)
    return (
      <p className="tree-note muted" style={{ paddingLeft: 20 + depth * 14 }}>
        Loading…
      </p>
    );
  if (listing.error)
    return (
      <p className="tree-note error-text" style={{ paddingLeft: 20 + depth * 14 }} role="alert">
        {(listing.error as Error).message}
      </p>
    );
  const entries = listing.data.entries;
  return (
    <ul role="group">
      {entries.length === 0 ? (
        <li className="tree-note muted" style={{ paddingLeft: 20 + (depth + 1) * 14 }}>
          empty
        </li>
      ) : null}
      {entries.map((entry) =>
        entry.type === "folder" ? (
          <FolderNode key={entry.name} {...props} path={entry.path} label={entry.name} title={undefined} depth={depth + 1} />
        ) : (
          <FileNode key={entry.name} entry={entry} {...props} depth={depth + 1} />
        ),
      )}
      {listing.data.truncated ? (
        <li className="tree-note muted" style={{ paddingLeft: 20 + (depth + 1) * 14 }}>
          (more entries not shown)
        </li>
      ) : null}
    </ul>
  );
}

function FileNode(props: FolderNodeProps & { entry: IdeEntry }) {
  const { root, entry, depth, selected } = props;
  const key = entryKey(root, entry.path);
  const isSelected = selected?.root === root && selected.path === entry.path;
  const openable = entry.type === "file";
  const note = entry.type === "symlink" ? "link (not followed)" : entry.type === "other" ? "not a regular file" : "";
  return (
    <li role="treeitem" aria-selected={isSelected} data-path={entry.path} data-root={root}>
      <div
        className={`tree-row file${isSelected ? " selected" : ""}${props.openKey === key ? " open" : ""}${openable ? "" : " inert"}`}
        style={{ paddingLeft: 20 + depth * 14 }}
        tabIndex={0}
        title={note || entry.path}
        onClick={() => {
          props.onSelect({ root, path: entry.path, type: entry.type });
          if (openable) props.onOpen(root, entry.path);
        }}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            props.onSelect({ root, path: entry.path, type: entry.type });
            if (openable) props.onOpen(root, entry.path);
          }
        }}
      >
        <span className="tree-name">{entry.name}</span>
        {props.dirtyKeys.has(key) ? <span className="dirty-dot" aria-label="unsaved changes" /> : null}
        {note ? <span className="tree-badge">{entry.type === "symlink" ? "link" : "?"}</span> : null}
      </div>
    </li>
  );
}
