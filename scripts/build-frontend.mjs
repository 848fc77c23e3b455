// Builds the NHS.UK frontend into learnhub/static (git-ignored).
// Sass compiles our stylesheet (which pulls in nhsuk-frontend); JS and the
// favicon/manifest assets are copied from the pinned npm package.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const nhsuk = join(root, "node_modules", "nhsuk-frontend", "dist", "nhsuk");
const out = join(root, "learnhub", "static");

mkdirSync(join(out, "css"), { recursive: true });
mkdirSync(join(out, "js"), { recursive: true });

const result = sass.compile(join(root, "learnhub", "assets", "scss", "main.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "css", "main.css"), result.css);
cpSync(join(nhsuk, "nhsuk-frontend.min.js"), join(out, "js", "nhsuk-frontend.min.js"));
cpSync(join(nhsuk, "assets"), join(out, "assets"), { recursive: true });
// Open fonts for certificate PDFs (Noto Sans, SIL OFL): small per-script files keep
// WeasyPrint's font subsetting fast; Arabic names fall back to Noto Sans Arabic.
mkdirSync(join(out, "fonts"), { recursive: true });
const fontsource = join(root, "node_modules", "@fontsource");
for (const [pkg, file] of [
  ["noto-sans", "noto-sans-latin-400-normal.woff"],
  ["noto-sans", "noto-sans-latin-700-normal.woff"],
  ["noto-sans", "noto-sans-latin-ext-400-normal.woff"],
  ["noto-sans", "noto-sans-latin-ext-700-normal.woff"],
  ["noto-sans-arabic", "noto-sans-arabic-arabic-400-normal.woff"],
  ["noto-sans-arabic", "noto-sans-arabic-arabic-700-normal.woff"],
]) {
  cpSync(join(fontsource, pkg, "files", file), join(out, "fonts", file));
}
console.log("built learnhub/static (css, js, assets, fonts)");
