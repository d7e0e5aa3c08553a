import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

/*
 * Cross-origin isolation: the page loads only its own files, and isolated its clock
 * (performance.now(), requestAnimationFrame's time) is precise to microseconds instead of
 * 0.1 ms with random jitter, so the frame intervals the app and its benchmark read are the
 * frames' own.
 */
const ISOLATED = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

export default defineConfig({
  plugins: [react()],
  server: {
    headers: ISOLATED,
  },
  worker: {
    format: "es",
  },
  build: {
    target: "es2022",
    outDir: "dist",
    emptyOutDir: true,
  },
  preview: {
    headers: ISOLATED,
    host: "127.0.0.1",
    port: 4173,
    strictPort: true,
  },
  test: {
    environment: "node",
    // Property tests take seconds on a two-core machine; a timeout is not a speed check.
    testTimeout: 30_000,
    include: ["src/**/*.test.{ts,tsx}"],
    exclude: ["**/node_modules/**", "dist/**", "e2e/**"],
  },
});
