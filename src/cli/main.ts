/** The `llmgw` CLI: commander wiring only. Each command's module is imported lazily so `lint` starts cold fast. */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import { packageVersion } from '../core/package-root.js'
import { EXIT, UsageError } from './exit-codes.js'

type Action = () => Promise<number>

/** Runs one command's action, mapping the errors users cause to exit codes. */
async function run(action: Action): Promise<void> {
  try {
    process.exitCode = await action()
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`llmgw: ${e.message}\n`)
      process.exitCode = EXIT.usage
      return
    }
    throw e
  }
}

const int = (name: string, min = 0, max = Number.MAX_SAFE_INTEGER) => (v: string) => {
  const n = Number(v)
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min || n > max)
    throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? `${name} must be a whole number, ${min} or more` : `${name} must be a whole number from ${min} to ${max}`)
  return n
}
const port = (name: string) => int(name, 0, 65535)

export function buildProgram(): Command {
  const program = new Command('llmgw')
    .description('LLM API gateway: validate a spec, compile it into a uWebSockets.js pipeline, serve OpenAI-compatible endpoints')
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError('(run llmgw --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .exitOverride()

  program
    .command('serve')
    .description('serve the spec; watch it and reload; live dashboard on a TTY, JSON logs otherwise')
    .option('-c, --config <file>', 'spec file (default: cosmiconfig search, else the embedded default)')
    .option('--host <host>', 'listen host (overrides server.host)')
    .option('--port <n>', 'listen port (overrides server.port)', port('--port'))
    .option('--workers <n>', 'uWS worker threads on the same port (overrides server.workers)', int('--workers', 1, 256))
    .option('--no-watch', 'do not watch the spec file for changes')
    .option('--dashboard', 'show the live dashboard (default when stdout is a TTY)')
    .option('--no-dashboard', 'print JSON logs instead of the dashboard')
    .action((o) => run(async () => (await import('./serve.js')).runServe(o)))

  program
    .command('lint')
    .description('check specs: schema and semantic rules, each problem with file:line:col, rule id and severity')
    .argument('[files...]', 'spec files (default: cosmiconfig search)')
    .addOption(new Option('--format <format>', 'output format').choices(['stylish', 'json']).default('stylish'))
    .option('--strict', 'exit 1 on warnings too', false)
    .option('--explain', 'also print the Plan each valid spec compiles to: models, targets, auth, limits, rules, cache, experiments, batching, protection (secrets redacted)', false)
    .action((files: string[], o) => run(async () => (await import('./lint.js')).runLint(files, o)))

  program
    .command('diff')
    .description('semantic diff of two specs: what clients will notice (either side may be git:REF:path)')
    .argument('<old>', 'old spec file or git:REF:path')
    .argument('<new>', 'new spec file or git:REF:path')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'markdown']).default('table'))
    .option('--exit-code', 'exit 1 when the specs differ', false)
    .action((a: string, b: string, o) => run(async () => (await import('./diff.js')).runDiff(a, b, o)))

  program
    .command('bench')
    .description('load test with autocannon; without --target, starts the gateway and a mock and reports gateway vs direct')
    .option('-c, --config <file>', 'spec file for the gateway under test')
    .option('--target <url>', 'an already running gateway to load')
    .option('--scenario <name|file>', 'scenario name from bench/scenarios or a scenario file')
    .option('--duration <duration>', 'duration per run', '10s')
    .option('--connections <n>', 'concurrent connections', int('--connections', 1, 10000), 50)
    .option('--json', 'print one JSON document (schemas/bench-result.schema.json)', false)
    .option('--baseline <file>', 'compare with a previous --json result')
    .option('--save-baseline <file>', 'write this run as a baseline')
    .option('--max-regression <percent>', 'allowed regression against the baseline', '10%')
    .option('--rounds <n>', 'interleaved gateway/direct rounds per scenario; the gate reads their medians and spread (default 5 with --baseline or --save-baseline, else 1)', int('--rounds', 1, 100))
    .action((o) => run(async () => (await import('./bench.js')).runBench(o)))

  program
    .command('profile')
    .description('run the gateway under load and show where the time goes')
    .option('-c, --config <file>', 'spec file')
    .addOption(new Option('--tool <tool>', 'profiler').choices(['stages', 'cpu', 'doctor', 'flame']).default('stages'))
    .option('--duration <duration>', 'load duration', '10s')
    .option('--out <dir>', 'report directory (default .llmgw/profiles/<timestamp>/)')
    .option('--scenario <name|file>', 'scenario to drive')
    .action((o) => run(async () => (await import('./profile.js')).runProfile(o)))

  program
    .command('init')
    .description('write llmgw.config.yaml from a template')
    .option('--template <name>', 'basic | openai | multi-provider | production | protocols | plugin', 'basic')
    .option('--force', 'overwrite an existing llmgw.config.yaml', false)
    .action((o) => run(async () => (await import('./init.js')).runInit(o)))

  program
    .command('mock')
    .description('a standalone mock LLM provider (OpenAI and Anthropic wire formats)')
    .option('--host <host>', 'listen host', '127.0.0.1')
    .option('--port <n>', 'listen port (0 = any free port)', port('--port'), 8081)
    .option('--latency <duration>', 'delay before the first byte', '20ms')
    .option('--tokens-per-second <n>', 'streaming speed (0 = as fast as possible)', int('--tokens-per-second'), 0)
    .option('--fail-rate <ratio>', 'share of requests answered with 500 (0.0 - 1.0)', '0.0')
    .option('--grpc-port <n>', 'also serve the kserve-v2 and tgis gRPC presets on this port', port('--grpc-port'))
    .option('--graphql-port <n>', 'also serve a GraphQL endpoint (/graphql, subscriptions over graphql-ws) on this port', port('--graphql-port'))
    .action((o) => run(async () => (await import('./mock.js')).runMock(o)))

  const keys = program.command('keys').description('client API key helpers')
  keys
    .command('hash')
    .description('print sha256:<hex> of KEY for `hash:` in the spec')
    .argument('<key>', 'the key')
    .action((key: string) => run(async () => (await import('./keys.js')).runKeysHash(key)))
  keys
    .command('new')
    .description('generate a new random key (llmgw-...) and its hash')
    .action(() => run(async () => (await import('./keys.js')).runKeysNew()))

  program
    .command('schema')
    .description("print the spec's JSON Schema (same as schemas/llmgw.schema.json)")
    .action(() => run(async () => (await import('./schema.js')).runSchema()))

  for (const c of [program, ...program.commands, ...keys.commands]) c.exitOverride()
  return program
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram()
  try {
    await program.parseAsync(argv)
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here with exit 0 (commander's exitCode 0); everything commander rejects is a usage error (SPEC §2: exit 2).
      process.exitCode = e.exitCode === 0 ? EXIT.ok : EXIT.usage
      return
    }
    process.stderr.write(`llmgw: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
    process.exitCode = EXIT.failure
  }
}
