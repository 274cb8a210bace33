// Bundles the query editor (web/editor/main.js) into api/static/editor.js with esbuild: one minified ES
// module, no source map, nothing loaded from elsewhere at run time. `make editor` runs it after `npm ci`.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

await build({
  absWorkingDir: root,
  entryPoints: ["web/editor/main.js"],
  outfile: "api/static/editor.js",
  bundle: true,
  format: "esm",
  minify: true,
  target: ["es2020"],
  legalComments: "eof",
  logLevel: "warning",
});
