// Writes every ```ts block of README.md to .readme-snippets/ so `npm run typecheck` proves the README's
// examples use the real API.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const out = path.join(root, ".readme-snippets");
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out);
blocks.forEach((code, i) => fs.writeFileSync(path.join(out, `snippet-${i}.ts`), code));
console.log(`readme-snippets: ${blocks.length} TypeScript block(s) written`);
if (blocks.length === 0) process.exitCode = 1;
