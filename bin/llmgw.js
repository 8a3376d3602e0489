#!/usr/bin/env node
// `serve` holds SIGINT/SIGTERM/SIGHUP from its first line, so a signal during start-up still ends in a clean exit 0
// (src/cli/start-signals.ts). `lint` (the pre-commit command) starts from a prebuilt bundle when it is fresh: see
// src/cli/lint-cold-start.ts.
const command = process.argv[2]
const ready = command === 'serve' ? import('../dist/cli/start-signals.js').then((m) => m.holdStartSignals()) : Promise.resolve()
ready.then(() => import(command === 'lint' ? '../dist/cli/lint-cold-start.js' : '../dist/cli/main.js')).then((m) => m.main(process.argv))
