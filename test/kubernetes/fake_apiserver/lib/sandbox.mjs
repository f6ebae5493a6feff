// Starts one container as a local process. "mount" mode (root, mount
// namespaces allowed): a private mount namespace with an overlay of / as the
// root, /proc, /sys and a fresh /dev, and every volume and image path bind-
// mounted at its real container path. "rewrite" mode: the process runs on the
// host and mapped path prefixes in command, args, env and workingDir are
// rewritten to the local folders.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, statSync } from "node:fs";
import { join, posix } from "node:path";

const q = (s) => `'${String(s).replace(/'/g, "'\\''")}'`;
const systemPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// A container path with the root's symlinks resolved (the overlay's lower
// layer is the host's /, so the host resolves them the same way): mounting at
// "$R/var/run/..." would otherwise follow /var/run -> /run out of the root.
export function resolveInRoot(path) {
  const parts = posix.normalize(`/${path}`).split("/").filter(Boolean);
  for (let i = parts.length; i >= 0; i--) {
    const prefix = `/${parts.slice(0, i).join("/")}`;
    try {
      return posix.join(realpathSync(prefix), ...parts.slice(i));
    } catch {
      // not there: try a shorter prefix
    }
  }
  return posix.normalize(`/${path}`);
}

// The shell script that builds the container's filesystem view, then execs
// the command in it; fd 3 carries "started" or the reason it could not start.
function mountScript({ root, upper, work, mounts, workingDir, path }) {
  const lines = [
    "set -e",
    "exec 4>&2 2>&3",
    `export PATH=${systemPath}`,
    `R=${q(root)}`,
    `mount -t overlay overlay -o lowerdir=/,upperdir=${q(upper)},workdir=${q(work)} "$R"`,
    'mount --rbind /proc "$R/proc"',
    'mount --rbind /sys "$R/sys"',
    'mount -t tmpfs -o mode=755,nosuid tmpfs "$R/dev"',
    'for d in null zero full random urandom tty; do touch "$R/dev/$d"; mount --bind "/dev/$d" "$R/dev/$d"; done',
    'mkdir -p "$R/dev/pts" "$R/dev/shm"',
    'mount --bind /dev/pts "$R/dev/pts"',
    'mount -t tmpfs -o nosuid,nodev tmpfs "$R/dev/shm"',
    'ln -s /proc/self/fd "$R/dev/fd"; ln -s /proc/self/fd/0 "$R/dev/stdin"',
    'ln -s /proc/self/fd/1 "$R/dev/stdout"; ln -s /proc/self/fd/2 "$R/dev/stderr"; ln -s pts/ptmx "$R/dev/ptmx"',
  ];
  for (const m of mounts) {
    const target = `"$R"${q(resolveInRoot(m.containerPath))}`;
    if (m.isFile) lines.push(`mkdir -p "$(dirname ${target})"`, `touch ${target}`);
    else lines.push(`mkdir -p ${target}`);
    lines.push(`mount --bind ${q(m.hostPath)} ${target}`);
    if (m.readOnly) lines.push(`mount -o remount,bind,ro ${target}`);
  }
  lines.push(
    `mkdir -p "$R"${q(resolveInRoot(workingDir))}`,
    "exec 2>&4 4>&-",
    `export PATH=${q(path)}`,
    `exec chroot "$R" /bin/sh -c ${q(
      'cd "$1" || exit 1; shift; ' +
        'command -v "$1" >/dev/null 2>&1 || { printf \'exec: "%s": executable file not found in $PATH\' "$1" >&3; exit 128; }; ' +
        'echo started >&3; exec "$@" 3>&-',
    )} sh ${q(workingDir)} "$@"`,
  );
  return lines.join("\n");
}

// Replaces mapped container path prefixes in one string.
export function rewritePaths(text, mounts) {
  const sorted = [...mounts].sort((a, b) => b.containerPath.length - a.containerPath.length);
  let out = String(text);
  for (const m of sorted) {
    const prefix = m.containerPath.replace(/\/+$/, "");
    const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    out = out.replace(new RegExp(`(^|[^A-Za-z0-9_.~/-])${escaped}(?=$|/|[^A-Za-z0-9_.~-])`, "g"), `$1${m.hostPath}`);
  }
  return out;
}

// Starts `argv` and returns { child, started, exited }: `started` resolves to
// { ok: true } or { ok: false, message }, `exited` to { code, signal }.
export function launch({ mode, argv, env, workingDir, mounts, scratch, onOutput }) {
  let child;
  let started;
  if (mode === "mount") {
    const root = join(scratch, "root");
    const upper = join(scratch, "upper");
    const work = join(scratch, "work");
    for (const d of [root, upper, work]) mkdirSync(d, { recursive: true });
    const script = mountScript({ root, upper, work, mounts, workingDir: workingDir || "/", path: env.PATH ?? systemPath });
    child = spawn("unshare", ["-m", "--propagation", "private", "/bin/sh", "-c", script, "sh", ...argv], {
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe", "pipe"],
    });
    started = new Promise((resolve) => {
      let said = "";
      child.stdio[3].on("data", (d) => (said += d));
      child.stdio[3].on("close", () => resolve(said.startsWith("started") ? { ok: true } : { ok: false, message: said.trim() || "container setup failed" }));
      child.on("error", (e) => resolve({ ok: false, message: e.message }));
    });
  } else {
    const rewritten = argv.map((a) => rewritePaths(a, mounts));
    const cwd = rewritePaths(workingDir || "/", mounts);
    const renv = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, rewritePaths(v, mounts)]));
    let cwdOk = true;
    try {
      cwdOk = statSync(cwd).isDirectory();
    } catch {
      cwdOk = false;
    }
    if (!cwdOk) {
      // Nothing to spawn: report it the way the runtime does.
      const fake = { pid: undefined, kill: () => {} };
      return {
        child: fake,
        started: Promise.resolve({ ok: false, message: `chdir to cwd ("${workingDir}") set in config.json failed: no such file or directory` }),
        exited: Promise.resolve({ code: 128, signal: null }),
      };
    }
    child = spawn(rewritten[0], rewritten.slice(1), { env: renv, cwd, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    started = new Promise((resolve) => {
      child.on("spawn", () => resolve({ ok: true }));
      child.on("error", (e) => resolve({
        ok: false,
        message: e.code === "ENOENT" ? `exec: "${argv[0]}": executable file not found in $PATH` : e.message,
      }));
    });
  }
  child.stdout.on("data", (d) => onOutput("stdout", d));
  child.stderr.on("data", (d) => onOutput("stderr", d));
  const exited = new Promise((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal }));
    child.on("error", () => resolve({ code: 128, signal: null }));
  });
  return { child, started, exited };
}

// Sends `signal` to the container's whole process group.
export function signalGroup(child, signal) {
  if (!child.pid) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

// Tries mount mode once: returns { mode, reason }.
export async function probeMode(dir) {
  if (process.getuid?.() !== 0) return { mode: "rewrite", reason: "not running as root, so no mount namespace" };
  const scratch = mkdtempSync(join(dir, "probe-"));
  const src = join(scratch, "src");
  mkdirSync(src);
  try {
    const { started, exited } = launch({
      mode: "mount",
      argv: ["/bin/sh", "-c", "test -d /fake-kubelet-probe"],
      env: { PATH: systemPath },
      workingDir: "/",
      mounts: [{ containerPath: "/fake-kubelet-probe", hostPath: src }],
      scratch,
      onOutput: () => {},
    });
    const s = await started;
    const e = await exited;
    if (s.ok && e.code === 0) return { mode: "mount", reason: "unshare -m, an overlay of / and bind mounts work here" };
    return { mode: "rewrite", reason: `mount namespace unavailable: ${s.message ?? `probe exited ${e.code}`}` };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
