import { defineConfig } from 'vite';

// A static page: `vite build` writes dist/, which any static file server can host.
export default defineConfig({
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  build: { target: 'es2022', sourcemap: true },
});
