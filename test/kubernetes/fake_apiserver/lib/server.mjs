// The HTTPS listener on 127.0.0.1 (plus optional plain HTTP for debugging):
// authentication, request body limits, the record of received bodies, and
// the connection-level faults (refusing connections, a restart).
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { json } from "./api.mjs";
import { ApiError, statusBody, tooLarge, unauthorized } from "./status.mjs";

const publicPaths = new Set(["/healthz", "/livez", "/readyz", "/version"]);
const bodyLimit = 3 * 1024 * 1024;

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (c) => {
      size += c.length;
      if (size > bodyLimit) {
        reject(tooLarge());
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

// The resource a request path names, for filtering the received log.
function resourceOf(pathname) {
  const segs = pathname.split("/").filter(Boolean);
  if (segs[0] !== "api") return undefined;
  const rest = segs[2] === "namespaces" && segs.length >= 5 ? segs.slice(4) : segs.slice(2);
  return rest.length > 2 ? `${rest[0]}/${rest[2]}` : rest[0];
}

export class FakeApiServer {
  constructor({ tls, host = "127.0.0.1", port = 0, httpPort, api, control, auth, store, log }) {
    Object.assign(this, { tls, host, port, httpPort, api, control, auth, store, log });
    this.received = [];
    this.sockets = new Set();
    this.seq = 0;
    control.received = this.received;
    control.server = this;
  }

  async start() {
    this.https = createHttpsServer({ ...this.tls, requestCert: true, rejectUnauthorized: false }, (q, s) => this.serve(q, s));
    this.https.on("connection", (sock) => {
      this.sockets.add(sock);
      sock.on("close", () => this.sockets.delete(sock));
    });
    await this.listen(this.https, this.port);
    this.port = this.https.address().port;
    if (this.httpPort !== undefined) {
      this.http = createHttpServer((q, s) => this.serve(q, s));
      await this.listen(this.http, this.httpPort);
      this.httpPort = this.http.address().port;
    }
  }

  listen(server, port) {
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, this.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  }

  async serve(req, res) {
    const url = new URL(req.url, "https://127.0.0.1");
    try {
      const user = this.auth.authenticate(req);
      if (user === null || (user === undefined && !publicPaths.has(url.pathname))) throw unauthorized();
      const body = await readBody(req);
      if (req.method !== "GET" && req.method !== "HEAD") {
        this.received.push({
          seq: ++this.seq,
          time: new Date().toISOString(),
          method: req.method,
          path: url.pathname,
          query: url.search,
          resource: resourceOf(url.pathname),
          user: user?.user ?? "system:anonymous",
          contentType: req.headers["content-type"] ?? "",
          body,
        });
      }
      if (url.pathname.startsWith("/_fake/")) {
        if (!user?.admin) throw new ApiError(403, "Forbidden", "the control API needs the admin token");
        let after;
        const [code, out] = this.control.handle(req.method, url.pathname, url.searchParams, body, (fn) => (after = fn));
        if (after) res.on("finish", () => setImmediate(after));
        return json(res, code, out);
      }
      if (["/healthz", "/livez", "/readyz"].includes(url.pathname)) {
        res.writeHead(200, { "Content-Type": "text/plain" });
        return res.end("ok");
      }
      await this.api.handle(req, res, url, body);
    } catch (e) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (e instanceof ApiError) return json(res, e.code, e.body());
      this.log(`internal error on ${req.method} ${req.url}: ${e.stack}`);
      json(res, 500, statusBody(500, "InternalError", `Internal error occurred: ${e.message}`));
    }
  }

  // Every connection drops and the watch cache restarts empty: clients must
  // re-list, as after a kube-apiserver restart.
  restart({ bump }) {
    this.api.dropStreams();
    for (const s of this.sockets) s.destroy();
    if (bump) this.store.bump();
    this.store.compact();
    this.log(`restart: connections dropped, history compacted at ${this.store.rv}`);
  }

  // Stops listening for `ms` (connections are refused), then listens again.
  refuse(ms) {
    this.api.dropStreams();
    this.https.close();
    for (const s of this.sockets) s.destroy();
    this.log(`refusing connections for ${ms} ms`);
    setTimeout(() => {
      this.listen(this.https, this.port).then(
        () => this.log("listening again"),
        (e) => this.log(`could not listen again on ${this.port}: ${e.message}`),
      );
    }, ms);
  }

  close() {
    this.api.dropStreams();
    for (const s of this.sockets) s.destroy();
    this.https?.close();
    this.http?.close();
  }
}
