// Writes a .gz twin next to each compressible file of the built bundle when
// it saves enough to pay for itself; the server sends it to clients that
// accept gzip. Usage: node scripts/compress.mjs <dist dir>
import { readdirSync, readFileSync, statSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { gzipSync, constants } from "node:zlib";

const compressible = /\.(js|mjs|css|html|svg|json|txt|map)$/;
const minimumSize = 1024;
const worthIt = 0.9;

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}

const root = process.env.LEOFLOW_WWW_OUT ?? process.argv[2] ?? "dist";
let written = 0;
for (const path of files(root)) {
  if (path.endsWith(".gz")) {
    rmSync(path);
    continue;
  }
  if (!compressible.test(path)) continue;
  const data = readFileSync(path);
  if (data.length < minimumSize) continue;
  const packed = gzipSync(data, { level: constants.Z_BEST_COMPRESSION });
  if (packed.length > data.length * worthIt) continue;
  writeFileSync(`${path}.gz`, packed);
  written += 1;
}
console.log(`compress: ${written} .gz files in ${root}`);
