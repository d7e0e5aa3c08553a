import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [react()],
  worker: {
    format: "es",
  },
  build: {
    target: "es2022",
    outDir: "dist",
    emptyOutDir: true,
  },
  preview: {
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
