// Prints the README's two commands, one per line, in the README's order: the backticked command of each
// row of the table under "## The two commands". .ci/run runs exactly these, so CI follows the newcomer's path.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
const section = readme.split(/^## /m).find((s) => s.startsWith("The two commands"));
if (!section) {
  console.error('README.md has no "## The two commands" section');
  process.exit(1);
}
const rows = section.split("\n").filter((line) => /^\|.*`[^`]+`\s*\|\s*$/.test(line));
for (const row of rows) console.log(row.match(/`([^`]+)`\s*\|\s*$/)[1]);
