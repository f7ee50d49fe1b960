import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// Tauri serves ui/dist through its own protocol; the dev server is only for `tauri dev`.
export default defineConfig({
  plugins: [react()],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    // WebKitGTK 2.4x on Debian 12 handles ES2021 fine; no need to down-level further.
    target: "es2021",
    // Ant Design is large; one chunk is fine for a desktop app loaded from disk.
    chunkSizeWarningLimit: 4000,
  },
});
