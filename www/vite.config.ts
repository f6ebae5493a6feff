// Vite builds the UI bundle that CMake embeds into the server binary.
// LEOFLOW_WWW_OUT names the output folder (CMake sets it to <build>/www/dist);
// `npm run dev` proxies the server's routes to LEOFLOW_URL.
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

const server = process.env.LEOFLOW_URL ?? "http://127.0.0.1:8088";

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: process.env.LEOFLOW_WWW_OUT ?? "dist",
    emptyOutDir: true,
    // Everything is a file: the strict Content-Security-Policy allows no
    // inline data for scripts, and files are cached forever by hash.
    assetsInlineLimit: 0,
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: {
      "/api": server,
      "/auth": server,
      "/ui": server,
    },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
