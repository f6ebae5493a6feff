// The fake image registry: an image name resolves to local file trees
// (container path -> local folder), environment and entry point, given by the
// tests as a JSON file (read at every pull) or through the control API.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

// docker.io/library/python:3.11 and python:3.11 are one image; no tag is :latest.
export function normalizeImage(name) {
  let n = String(name).trim();
  if (!n.includes("@") && !/:[^/]+$/.test(n)) n += ":latest";
  return n.replace(/^(docker\.io\/)?(library\/)?/, "");
}

export class ImageRegistry {
  constructor({ file } = {}) {
    this.file = file;
    this.registered = new Map();
    this.pullFaults = new Map(); // image -> message
  }

  register(name, entry) {
    this.registered.set(normalizeImage(name), normalizeEntry(entry));
  }

  failPulls(name, message) {
    if (message === null) this.pullFaults.delete(normalizeImage(name));
    else this.pullFaults.set(normalizeImage(name), message);
  }

  all() {
    return { ...this.fromFile(), ...Object.fromEntries(this.registered) };
  }

  fromFile() {
    if (!this.file) return {};
    const raw = JSON.parse(readFileSync(this.file, "utf8"));
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [normalizeImage(k), normalizeEntry(v)]));
  }

  // { entry } or { reason, message } as the kubelet reports a failed pull.
  pull(name) {
    const image = normalizeImage(name);
    const ref = name.includes("/") ? name : `docker.io/library/${image}`;
    if (this.pullFaults.has(image)) {
      return { reason: "ErrImagePull", message: `failed to pull and unpack image "${ref}": ${this.pullFaults.get(image)}` };
    }
    let images;
    try {
      images = this.all();
    } catch (e) {
      return { reason: "ErrImagePull", message: `fake registry unreadable: ${e.message}` };
    }
    const entry = images[image];
    if (!entry) {
      return {
        reason: "ErrImagePull",
        message: `rpc error: code = NotFound desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`,
      };
    }
    const digest = createHash("sha256").update(image).digest("hex");
    return { entry, imageID: `${ref.replace(/:[^/:]+$/, "")}@sha256:${digest}` };
  }
}

function normalizeEntry(v = {}) {
  return {
    path_map: { ...(v.path_map ?? {}) },
    env: { ...(v.env ?? {}) },
    entrypoint: v.entrypoint ?? [],
    cmd: v.cmd ?? [],
    workingDir: v.workingDir ?? "",
  };
}
