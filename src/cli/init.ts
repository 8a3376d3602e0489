/** `llmgw init [--template NAME] [--force]` (SPEC §2): write ./llmgw.config.yaml from templates/; exit 1 if it exists. */
import { existsSync, readdirSync } from 'node:fs'
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { packageRoot } from '../core/package-root.js'
import { EXIT, UsageError } from './exit-codes.js'

export const INIT_FILE = 'llmgw.config.yaml'
const MODELINE = /^# yaml-language-server: \$schema=.*$/m

export interface InitOptions {
  template: string
  force: boolean
}

/** Template names: the .yaml files in templates/ ("basic", "openai", "multi-provider", "production", "protocols", "plugin"). */
export function templateNames(): string[] {
  return readdirSync(join(packageRoot(), 'templates'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort()
}

export async function runInit(o: InitOptions, cwd: string = process.cwd()): Promise<number> {
  const names = templateNames()
  const name = o.template ?? 'basic'
  if (!names.includes(name)) throw new UsageError(`unknown template '${name}'; choose one of: ${names.join(', ')}`)
  const target = join(cwd, INIT_FILE)
  if (existsSync(target) && !o.force) {
    process.stderr.write(`llmgw init: ${INIT_FILE} already exists; use --force to overwrite it\n`)
    return EXIT.failure
  }
  const text = await readFile(join(packageRoot(), 'templates', `${name}.yaml`), 'utf8')
  try {
    await writeFile(target, text.replace(MODELINE, `# yaml-language-server: $schema=${schemaRef(cwd)}`))
  } catch (e) {
    process.stderr.write(`llmgw init: cannot write ${INIT_FILE}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`)
    return EXIT.failure
  }
  const written = await copyPluginFiles(text, cwd, o.force)
  if (written === undefined) return EXIT.failure
  const also = written.length === 0 ? '' : ` and ${written.join(', ')}`
  process.stdout.write(`wrote ${INIT_FILE}${also} from the ${name} template; check it with: llmgw lint, run it with: llmgw serve\n`)
  return EXIT.ok
}

/**
 * The plugin files a template names (`module: ./plugins/NAME.mjs`, from templates/plugins/), copied beside the spec.
 * An existing file is kept unless --force: it may be the user's own edit. undefined when one cannot be written.
 */
async function copyPluginFiles(text: string, cwd: string, force: boolean): Promise<string[] | undefined> {
  const names = [...new Set([...text.matchAll(/^\s*module:\s*\.\/plugins\/([A-Za-z0-9._-]+\.mjs)\s*$/gm)].map((m) => m[1]!))]
  const out: string[] = []
  for (const n of names) {
    const target = join(cwd, 'plugins', n)
    if (existsSync(target) && !force) {
      process.stderr.write(`llmgw init: kept the existing plugins/${n} (use --force to overwrite it)\n`)
      continue
    }
    try {
      await mkdir(join(cwd, 'plugins'), { recursive: true })
      await copyFile(join(packageRoot(), 'templates', 'plugins', n), target)
    } catch (e) {
      process.stderr.write(`llmgw init: cannot write plugins/${n}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`)
      return undefined
    }
    out.push(`plugins/${n}`)
  }
  return out
}

/** The templates point at ../schemas/ inside the package; from the user's directory, point at the installed copy. */
function schemaRef(cwd: string): string {
  const installed = join(cwd, 'node_modules', 'llmgw', 'schemas', 'llmgw.schema.json')
  if (existsSync(installed)) return `./${relative(cwd, installed).split('\\').join('/')}`
  // Not installed locally (npx, global install): an absolute path still lets the editor find it.
  return join(packageRoot(), 'schemas', 'llmgw.schema.json')
}
