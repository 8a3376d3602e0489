/**
 * templates/kubernetes end to end (SPEC §6, issue 13 part 3): `llmgw serve` started with the Deployment's own args
 * and the Secret's env, reading the ConfigMap spec from a directory laid out the way the kubelet mounts a ConfigMap
 * (`llmgw.config.yaml -> ..data/llmgw.config.yaml`, `..data -> ..<timestamp>`). A kubelet update (new timestamped
 * directory, `..data` renamed over atomically, old directory removed) hot-reloads the spec; a broken update keeps the
 * old spec serving; SIGTERM ends with exit 0.
 */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, posix } from 'node:path'
import { test } from 'node:test'
import { parseAllDocuments } from 'yaml'
import { packageRoot } from '../core/package-root.js'
import { spawnCli } from '../testing/cli-child.js'
import { until } from '../testing/until.js'

const K8S = join(packageRoot(), 'templates', 'kubernetes')
type Obj = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const doc = (file: string): Obj => parseAllDocuments(readFileSync(join(K8S, file), 'utf8'))[0]!.toJS() as Obj

/** A ConfigMap volume as the kubelet writes it; `update` is its atomic swap to new contents. */
function configMapVolume(dir: string, key: string) {
  let n = 0
  const write = (text: string): string => {
    const stamp = `..2026_12_06_00_00_${String(n).padStart(2, '0')}.${1000 + n}`
    n++
    mkdirSync(join(dir, stamp))
    writeFileSync(join(dir, stamp, key), text)
    return stamp
  }
  let current = write('')
  return {
    init(text: string): void {
      rmSync(join(dir, current), { recursive: true })
      current = write(text)
      symlinkSync(current, join(dir, '..data'))
      symlinkSync(posix.join('..data', key), join(dir, key))
    },
    update(text: string): void {
      const next = write(text)
      symlinkSync(next, join(dir, '..data_tmp'))
      renameSync(join(dir, '..data_tmp'), join(dir, '..data'))
      rmSync(join(dir, current), { recursive: true })
      current = next
    },
  }
}

test('the Kubernetes template: a ConfigMap update hot-reloads the running gateway; a broken one keeps the old spec', { timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'llmgw-configmap-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))

  const deployment = doc('deployment.yaml')
  const container = deployment.spec.template.spec.containers[0] as Obj
  const mountPath = (container.volumeMounts as Obj[]).find((m) => m.name === 'config')!.mountPath as string
  const env: Record<string, string> = { ...(doc('secret.yaml').stringData as Record<string, string>) }
  for (const e of container.env as Obj[]) env[e.name] = e.value
  const clientKey = env.TEAM_A_KEY!

  // The template's spec, with its admin port moved to an ephemeral one so parallel tests cannot collide.
  const template = readFileSync(join(K8S, 'llmgw.config.yaml'), 'utf8')
  const spec = template.replace(/^(admin:\n {2}port: )9090/m, '$10')
  assert.notEqual(spec, template)
  const volume = configMapVolume(dir, 'llmgw.config.yaml')
  volume.init(spec)

  // The Deployment's args, with the mount path pointing here, on loopback with an ephemeral port.
  const args = (container.args as string[]).map((a) => a.replace(mountPath, dir))
  assert.ok(args.includes(join(dir, 'llmgw.config.yaml')))
  const cli = spawnCli([...args, '--host', '127.0.0.1', '--port', '0'], { cwd: dir, env, t })
  const { url, admin } = await cli.listening(20_000)
  assert.ok(admin, 'the admin listener is up')

  const models = async (): Promise<string[]> => {
    const res = await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${clientKey}` }, signal: AbortSignal.timeout(8000) })
    assert.equal(res.status, 200)
    return ((await res.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id).sort()
  }
  const reloads = async (result: string): Promise<number> => {
    const res = await fetch(`${admin}/metrics`, { signal: AbortSignal.timeout(8000) })
    return Number(new RegExp(`^llmgw_config_reloads_total\\{result="${result}"\\} (\\d+)`, 'm').exec(await res.text())?.[1] ?? 0)
  }
  assert.deepEqual(await models(), ['claude-sonnet', 'gpt-4o-mini'])
  assert.equal((await fetch(`${url}/readyz`)).status, 200)

  // 1. A kubelet update adding a model.
  const withGpt4o = spec.replace(/^models:\n/m, 'models:\n  - name: gpt-4o\n    targets: [{ provider: openai, model: gpt-4o }]\n')
  assert.notEqual(withGpt4o, spec)
  volume.update(withGpt4o)
  await until('the swapped ConfigMap to be served', async () => (await models()).includes('gpt-4o'), 20_000)
  assert.deepEqual(await models(), ['claude-sonnet', 'gpt-4o', 'gpt-4o-mini'])

  // 2. A broken update: counted as a failed reload, the previous spec keeps serving, the pod stays ready.
  const errorsBefore = await reloads('error')
  volume.update(withGpt4o.replace('provider: openai, model: gpt-4o }', 'provider: opnai, model: gpt-4o }'))
  await until('the broken ConfigMap to be refused', async () => (await reloads('error')) > errorsBefore, 20_000)
  assert.deepEqual(await models(), ['claude-sonnet', 'gpt-4o', 'gpt-4o-mini'])
  assert.equal((await fetch(`${url}/readyz`)).status, 200)
  assert.match(cli.lines.join('\n'), /unknown provider 'opnai'/)

  // 3. The next good update applies again (the watcher followed the swaps), then SIGTERM drains and exits 0.
  volume.update(spec)
  await until('the third swap to be served', async () => !(await models()).includes('gpt-4o'), 20_000)
  assert.doesNotMatch(cli.lines.join('\n'), /REPLACE_ME/, 'secrets never appear in the logs')
  cli.proc.kill('SIGTERM')
  assert.equal(await cli.exited, 0, cli.stderr())
})
