// The cluster's certificates, made with the openssl CLI at every start: a CA,
// the API server's serving certificate (127.0.0.1, localhost, kubernetes.*)
// and client certificates whose CN is the user and O its groups.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

function openssl(args, cwd) {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

// Signs a new key's certificate with the CA; `ext` is an openssl extension
// section body. Returns the paths of the certificate and the key.
function issue(dir, base, subject, ext) {
  const key = join(dir, `${base}.key`);
  const crt = join(dir, `${base}.crt`);
  const csr = join(dir, `${base}.csr`);
  const extFile = join(dir, `${base}.ext`);
  writeFileSync(extFile, ext);
  openssl(["req", ...ecKey, "-keyout", key, "-out", csr, "-subj", subject], dir);
  openssl(
    ["x509", "-req", "-in", csr, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "7",
      "-out", crt, "-extfile", extFile],
    dir,
  );
  return { cert: crt, key };
}

export class ClusterPki {
  constructor(dir) {
    this.dir = dir;
    openssl(
      ["req", "-x509", ...ecKey, "-keyout", "ca.key", "-out", "ca.crt", "-days", "7",
        "-subj", "/CN=fake-kubernetes-ca", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
      dir,
    );
    this.caFile = join(dir, "ca.crt");
    this.server = issue(
      dir,
      "apiserver",
      "/CN=kube-apiserver",
      "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n" +
        "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default," +
        "DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n",
    );
  }

  // A client certificate for `user` in `groups` (CN and O, as kube-apiserver reads them).
  clientCert(user, groups = []) {
    const subject = `/CN=${user}${groups.map((g) => `/O=${g}`).join("")}`;
    const safe = user.replace(/[^A-Za-z0-9_.-]/g, "_");
    return issue(this.dir, `client-${safe}`, subject,
      "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n");
  }

  read(path) {
    return readFileSync(path);
  }
}
