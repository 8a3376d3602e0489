#!/usr/bin/env node
// `lint` (the pre-commit command) starts from a prebuilt bundle when it is fresh: see src/cli/lint-cold-start.ts.
import(process.argv[2] === 'lint' ? '../dist/cli/lint-cold-start.js' : '../dist/cli/main.js').then((m) => m.main(process.argv))
