// The tests' control API under /_fake/ (admin token only): register images,
// inject faults, read back every request body the server received.

class ControlError extends Error {
  constructor(code, detail) {
    super(detail);
    this.code = code;
  }
}

const need = (body, key) => {
  if (body[key] === undefined || body[key] === "") throw new ControlError(400, `missing "${key}"`);
  return body[key];
};

export class Control {
  constructor({ server, registry, kubelet, images, auth, pki, received }) {
    Object.assign(this, { server, registry, kubelet, images, auth, pki, received });
  }

  // Returns [status, body]; `body` is the parsed JSON request (or {}).
  handle(method, path, query, text, respondThen) {
    let body = {};
    if (text && text.trim()) {
      try {
        body = JSON.parse(text);
      } catch (e) {
        return [400, { detail: `request body is not JSON: ${e.message}` }];
      }
    }
    try {
      return this.route(method, path, query, body, respondThen);
    } catch (e) {
      if (e instanceof ControlError) return [e.code, { detail: e.message }];
      if (e.body) return [e.code, { detail: e.message, status: e.body() }];
      throw e;
    }
  }

  route(method, path, query, body, respondThen) {
    const k = this.kubelet;
    const key = `${method} ${path}`;
    switch (key) {
      case "GET /_fake/received": {
        const resource = query.get("resource");
        const verb = query.get("method");
        return [200, { requests: this.received.filter((r) => (!resource || r.resource === resource) && (!verb || r.method === verb)) }];
      }
      case "POST /_fake/images":
        this.images.register(need(body, "image"), body);
        return [200, { image: body.image }];
      case "GET /_fake/images":
        return [200, { images: this.images.all() }];
      case "POST /_fake/faults/image-pull":
        this.images.failPulls(need(body, "image"), body.clear ? null : body.message ?? "injected pull failure: 503 Service Unavailable");
        return [200, { image: body.image, failing: !body.clear }];
      case "POST /_fake/faults/crash-loop":
        if (!body.name && !body.labelSelector) throw new ControlError(400, 'give "name" (with "namespace") or "labelSelector"');
        k.addCrashLoop(body);
        return [200, { crashLoop: body }];
      case "DELETE /_fake/faults/crash-loop":
        k.clearCrashLoops();
        return [200, { crashLoop: null }];
      case "POST /_fake/faults/evict":
        if (!k.evict(need(body, "namespace"), need(body, "name"), body.message)) throw new ControlError(404, `no running pod ${body.namespace}/${body.name}`);
        return [200, { evicted: `${body.namespace}/${body.name}` }];
      case "POST /_fake/faults/node-lost":
        k.loseNode(Number(body.delete_after_ms ?? 1000));
        return [200, { node: "lost" }];
      case "POST /_fake/faults/node-restore":
        k.restoreNode();
        return [200, { node: "ready" }];
      case "POST /_fake/faults/delete-pod": {
        const opts = body.grace_period_seconds === undefined ? {} : { gracePeriodSeconds: Number(body.grace_period_seconds) };
        const pod = this.registry.delete("pods", need(body, "namespace"), need(body, "name"), opts);
        return [200, { deleted: `${body.namespace}/${body.name}`, pod }];
      }
      case "POST /_fake/faults/restart-apiserver":
        respondThen(() => this.server.restart({ bump: body.bump !== false }));
        return [202, { restarting: true }];
      case "POST /_fake/faults/refuse-connections": {
        const ms = Number(need(body, "ms"));
        respondThen(() => this.server.refuse(ms));
        return [202, { refusing_ms: ms }];
      }
      case "POST /_fake/tokens":
        this.auth.addToken(need(body, "token"), need(body, "user"), body.groups ?? []);
        return [200, { user: body.user }];
      case "POST /_fake/client-certs": {
        const { cert, key } = this.pki.clientCert(need(body, "user"), body.groups ?? []);
        return [200, { cert_file: cert, key_file: key }];
      }
      default: {
        const m = /^GET \/_fake\/pods\/([^/]+)\/([^/]+)$/.exec(key);
        if (m) {
          const w = k.worker(m[1], m[2]);
          if (!w) throw new ControlError(404, `no pod ${m[1]}/${m[2]} on the node`);
          return [200, {
            uid: w.uid,
            scratch: w.scratch,
            containers: [...w.init, ...w.main].map((c) => ({ name: c.name, pid: c.child?.pid ?? null, restartCount: c.restartCount })),
          }];
        }
        throw new ControlError(404, `no control endpoint ${key}`);
      }
    }
  }
}
