// The IDE's file API (/api/v2/ide/...) through the UI's one fetch client
// (session cookie, CSRF header on writes, errors as ApiError).
import { api, apiRequest } from "../api/client";

export interface IdeRoot {
  index: number;
  name: string;
  path: string; // absolute, as the watcher reports files
}

export interface IdeRoots {
  roots: IdeRoot[];
  max_file_bytes: number;
}

export type EntryType = "file" | "folder" | "symlink" | "other";

export interface IdeEntry {
  name: string;
  path: string;
  type: EntryType;
  size?: number;
}

export interface IdeListing {
  root: number;
  path: string;
  entries: IdeEntry[];
  truncated: boolean;
}

export interface IdeFile {
  root: number;
  path: string;
  content: string;
  etag: string;
  size: number;
}

export interface IdeSaved {
  root: number;
  path: string;
  etag: string;
  size: number;
  unchanged?: boolean;
}

const base = "/api/v2/ide";

export const ideKeys = {
  roots: ["ide", "roots"] as const,
  folder: (root: number, path: string) => ["ide", "tree", root, path] as const,
};

export const ideApi = {
  roots: () => api.get<IdeRoots>(`${base}/roots`),
  list: (root: number, path: string) => api.get<IdeListing>(`${base}/tree`, { root, path }),
  read: (root: number, path: string) => api.get<IdeFile>(`${base}/file`, { root, path }),
  save: (root: number, path: string, content: string, etag: string | null, force = false) =>
    apiRequest<IdeSaved>(`${base}/file`, {
      method: "PUT",
      body: force ? { root, path, content, force: true } : { root, path, content, etag },
    }),
  createFile: (root: number, path: string, content = "") => api.post<IdeSaved>(`${base}/file`, { root, path, content }),
  createFolder: (root: number, path: string) => api.post<{ root: number; path: string }>(`${base}/folder`, { root, path }),
  rename: (root: number, path: string, newPath: string, overwrite = false) =>
    api.post<{ root: number; path: string }>(`${base}/rename`, { root, path, new_path: newPath, overwrite }),
  removeFile: (root: number, path: string) =>
    apiRequest<void>(`${base}/file`, { method: "DELETE", query: { root, path } }),
  removeFolder: (root: number, path: string) =>
    apiRequest<void>(`${base}/folder`, { method: "DELETE", query: { root, path, recursive: true } }),
};
