// Who a request is: a bearer token from the static list (the admin's, ones
// the tests add, service account tokens) or a client certificate signed by
// the cluster CA (CN = user, O = groups). Anything else is anonymous.
import { randomBytes } from "node:crypto";

export class Authenticator {
  constructor() {
    this.adminToken = randomBytes(24).toString("hex");
    this.tokens = new Map([[this.adminToken, { user: "fake-admin", groups: ["system:masters"], admin: true }]]);
  }

  addToken(token, user, groups = []) {
    this.tokens.set(token, { user, groups });
  }

  // A stable token per service account, as the token projection hands out.
  forServiceAccount(namespace, name) {
    const user = `system:serviceaccount:${namespace}:${name}`;
    for (const [t, u] of this.tokens) if (u.user === user) return t;
    const token = `sa-${randomBytes(24).toString("hex")}`;
    this.addToken(token, user, ["system:serviceaccounts", `system:serviceaccounts:${namespace}`]);
    return token;
  }

  // undefined for anonymous; throws nothing (the caller answers 401).
  authenticate(req) {
    const header = req.headers.authorization ?? "";
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (m) return this.tokens.get(m[1]) ?? null;
    if (header) return null;
    const sock = req.socket;
    if (sock.authorized && typeof sock.getPeerCertificate === "function") {
      const cert = sock.getPeerCertificate();
      const cn = cert?.subject?.CN;
      if (cn) {
        const o = cert.subject.O;
        return { user: cn, groups: Array.isArray(o) ? o : o ? [o] : [] };
      }
    }
    return undefined;
  }
}
