/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { svelteTesting } from "@testing-library/svelte/vite";

// Tauri serves ui/dist from its own origin: every asset path must be relative
// and nothing may be loaded from the network (CSP default-src 'self').
export default defineConfig(({ mode }) => ({
  base: "./",
  plugins: [svelte(), svelteTesting()],
  clearScreen: false,
  server: { host: "127.0.0.1", port: 5173, strictPort: true },
  preview: { host: "127.0.0.1", port: 4173, strictPort: true },
  build: {
    // `npm run build` (production) -> dist/, which Tauri embeds.
    // `vite build --mode mock` -> dist-mock/, for browser-only previews.
    outDir: mode === "mock" ? "dist-mock" : "dist",
    emptyOutDir: true,
    // Keep every asset a file: inline data: URLs would need a looser CSP.
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
  },
}));
