/**
 * The deployment files (issue 13 part 3): templates/kubernetes, templates/docker, .pre-commit-hooks.yaml.
 * Every manifest is checked against the Kubernetes API schema (kubernetes-models, offline) and against the spec it
 * deploys: ports, probe paths (SPEC §4), shutdown timing (server.shutdownGrace), the ConfigMap directory mount that
 * hot reload needs (SPEC §6), non-root, and labels/selectors across Deployment, Service, HPA and PDB.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join, posix, relative } from 'node:path'
import { test } from 'node:test'
import { parseAllDocuments, parse as parseYaml } from 'yaml'
import { packageRoot } from '../core/package-root.js'
import { loadSpec, SEARCH_PLACES } from './load.js'

const ROOT = packageRoot()
const K8S = join(ROOT, 'templates', 'kubernetes')
const SPEC_FILE = join(K8S, 'llmgw.config.yaml')

// Loose views of the manifests: the schema check below is what vouches for their shape.
type Obj = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
interface Manifest {
  file: string
  doc: Obj
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) return yamlFiles(p)
    return /\.ya?ml$/.test(name) ? [p] : []
  })
}

function parseDocs(file: string): Obj[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'))
  return docs.map((d) => {
    assert.deepEqual(d.errors, [], `${file}: YAML errors`)
    return d.toJS() as Obj
  })
}

/** Kubernetes objects: every YAML file but the spec and the kustomize files. */
function manifests(): Manifest[] {
  return yamlFiles(K8S)
    .filter((f) => f !== SPEC_FILE && basename(f) !== 'kustomization.yaml')
    .flatMap((file) => parseDocs(file).map((doc) => ({ file: relative(K8S, file), doc })))
}

function one(kind: string, name: string): Obj {
  const found = manifests().filter((m) => m.doc.kind === kind && m.doc.metadata?.name === name)
  assert.equal(found.length, 1, `exactly one ${kind} ${name}`)
  return found[0]!.doc
}

const deployment = () => one('Deployment', 'llmgw')
const container = () => deployment().spec.template.spec.containers.find((c: Obj) => c.name === 'llmgw') as Obj
const secretEnv = (): Record<string, string> => one('Secret', 'llmgw-secrets').stringData

/** The spec as the pods load it: env from the Secret plus the container's own env. */
async function podSpec(extraEnv: Record<string, string> = {}) {
  const env: Record<string, string> = { ...secretEnv(), ...extraEnv }
  for (const e of container().env ?? []) if (typeof e.value === 'string') env[e.name] = e.value
  const r = await loadSpec({ file: SPEC_FILE, env })
  assert.ok(r.ok, JSON.stringify(r.ok ? [] : r.problems, null, 2))
  return r
}

/** `kubernetes-models/<group>/<version>/<Kind>`: an unknown apiVersion or kind fails the import. */
async function schemaCheck(doc: Obj): Promise<void> {
  const mod = (await import(`kubernetes-models/${doc.apiVersion}/${doc.kind}`)) as Record<string, new (o: Obj) => { validate(): void }>
  const Model = mod[doc.kind]
  assert.ok(Model, `kubernetes-models has no ${doc.apiVersion} ${doc.kind}`)
  new Model(doc).validate()
}

test('every manifest parses and passes the Kubernetes API schema', async () => {
  const all = manifests()
  const kinds = all.map((m) => `${m.file}: ${m.doc.apiVersion} ${m.doc.kind} ${m.doc.metadata.name}`).sort()
  assert.deepEqual(kinds, [
    'deployment.yaml: apps/v1 Deployment llmgw',
    'hpa.yaml: autoscaling/v2 HorizontalPodAutoscaler llmgw',
    'pdb.yaml: policy/v1 PodDisruptionBudget llmgw',
    'redis/redis.yaml: apps/v1 Deployment llmgw-redis',
    'redis/redis.yaml: v1 Service llmgw-redis',
    'secret.yaml: v1 Secret llmgw-secrets',
    'service.yaml: v1 Service llmgw',
  ])
  for (const m of all) {
    try {
      await schemaCheck(m.doc)
    } catch (e) {
      assert.fail(`${m.file} ${m.doc.kind}: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
  // The ConfigMap kustomize generates from the spec file, checked the same way.
  await schemaCheck({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'llmgw-config' }, data: { 'llmgw.config.yaml': readFileSync(SPEC_FILE, 'utf8') } })
})

test('the schema check catches a broken manifest (it is not a no-op)', async () => {
  const d = structuredClone(deployment())
  d.spec.template.spec.containers[0].ports[0].containerPort = 'eighty'
  await assert.rejects(schemaCheck(d), /containerPort must be integer/)
  await assert.rejects(schemaCheck({ ...one('HorizontalPodAutoscaler', 'llmgw'), apiVersion: 'autoscaling/v9' }))
})

test('kustomization: every resource exists, every manifest is listed, the spec becomes an unhashed ConfigMap', () => {
  const k = parseYaml(readFileSync(join(K8S, 'kustomization.yaml'), 'utf8')) as Obj
  assert.equal(k.kind, 'Kustomization')
  for (const r of k.resources as string[]) assert.ok(existsSync(join(K8S, r)), `resource ${r} exists`)
  const component = parseYaml(readFileSync(join(K8S, 'redis', 'kustomization.yaml'), 'utf8')) as Obj
  assert.equal(component.kind, 'Component')
  for (const r of component.resources as string[]) assert.ok(existsSync(join(K8S, 'redis', r)), `redis resource ${r} exists`)
  const listed = new Set([...(k.resources as string[]), ...(component.resources as string[]).map((r) => posix.join('redis', r))])
  for (const m of new Set(manifests().map((x) => x.file))) assert.ok(listed.has(m), `${m} is in a kustomization`)

  const gen = (k.configMapGenerator as Obj[]).find((g) => g.name === 'llmgw-config')!
  assert.deepEqual(gen.files, ['llmgw.config.yaml'])
  // A name hash would turn every spec edit into a rollout instead of a hot reload.
  assert.equal(gen.options.disableNameSuffixHash, true)
  // The component's commented switch, and the image kustomize rewrites (tagged with this package's version).
  assert.match(readFileSync(join(K8S, 'kustomization.yaml'), 'utf8'), /^# components:\n# {3}- redis$/m)
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version
  assert.deepEqual(k.images, [{ name: 'llmgw', newName: 'llmgw', newTag: version }])
  assert.equal(container().image, `llmgw:${version}`)
})

test('the ConfigMap spec lints clean with the Secret env, and the Secret provides every ${env:} it needs', async () => {
  const r = await podSpec()
  assert.deepEqual(r.warnings, [])
  assert.equal(r.spec.state.store, 'memory')
  const needed = [...readFileSync(SPEC_FILE, 'utf8').matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!)
  assert.deepEqual([...new Set(needed)].sort(), Object.keys(secretEnv()).sort())
  // Without the Secret the spec is refused, naming each variable.
  const bare = await loadSpec({ file: SPEC_FILE, env: {} })
  assert.ok(!bare.ok)
  assert.deepEqual([...new Set(bare.problems.map((p) => p.rule))], ['env-missing'])
  assert.deepEqual([...new Set(bare.problems.map((p) => /variable (\w+)/.exec(p.message)?.[1]))].sort(), Object.keys(secretEnv()).sort())
})

test('the redis component switches the spec to the Redis it deploys', async () => {
  const component = parseYaml(readFileSync(join(K8S, 'redis', 'kustomization.yaml'), 'utf8')) as Obj
  const patch = component.patches[0] as Obj
  assert.deepEqual(patch.target, { kind: 'Deployment', name: 'llmgw' })
  const ops = parseYaml(patch.patch as string) as Obj[]
  assert.ok(ops.every((o) => o.op === 'add' && o.path === '/spec/template/spec/containers/0/env/-'))
  // The JSON-patch path needs containers[0] to be llmgw and to have an env list already.
  assert.equal(deployment().spec.template.spec.containers[0].name, 'llmgw')
  assert.ok(Array.isArray(container().env))
  const env = Object.fromEntries(ops.map((o) => [o.value.name, o.value.value]))
  const r = await podSpec(env)
  assert.deepEqual(r.warnings, [])
  assert.equal(r.spec.state.store, 'redis')
  const url = new URL(r.spec.state.redis!.url!.reveal())
  const svc = one('Service', 'llmgw-redis')
  assert.equal(url.hostname, svc.metadata.name)
  assert.equal(Number(url.port), svc.spec.ports[0].port)
  const redis = one('Deployment', 'llmgw-redis')
  assert.deepEqual(svc.spec.selector, redis.spec.template.metadata.labels)
  assert.equal(redis.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem, true)
})

test('Deployment: ports, probe paths and shutdown timing follow the spec', async () => {
  const { spec } = await podSpec()
  const c = container()
  const port = (name: string) => (c.ports as Obj[]).find((p) => p.name === name)?.containerPort as number
  assert.equal(spec.server.host, '0.0.0.0', 'a pod must listen on its own IP, not loopback')
  assert.equal(port('http'), spec.server.port)
  assert.equal(port('admin'), spec.admin.port)
  // SPEC §4: /readyz turns 503 while draining, /healthz is 200 while the process runs; both on the main port.
  assert.deepEqual(c.readinessProbe.httpGet, { path: '/readyz', port: 'http' })
  assert.deepEqual(c.livenessProbe.httpGet, { path: '/healthz', port: 'http' })
  assert.equal(deployment().spec.template.metadata.annotations['prometheus.io/port'], String(spec.admin.port))

  const sleep = c.lifecycle.preStop.exec.command as string[]
  assert.equal(sleep[0], 'sleep')
  const preStopS = Number(sleep[1])
  assert.ok(preStopS >= 1)
  const grace = deployment().spec.template.spec.terminationGracePeriodSeconds as number
  const drainS = spec.server.shutdownGrace / 1000
  assert.ok(grace > preStopS + drainS, `terminationGracePeriodSeconds ${grace} must exceed preStop ${preStopS} s + shutdownGrace ${drainS} s`)
  assert.equal(deployment().spec.replicas, undefined, 'the HPA owns replicas')
  assert.ok(c.resources.requests.cpu, 'the HPA computes CPU utilization from requests')
})

test('Deployment: the ConfigMap is mounted as a directory and serve reads the spec from it', () => {
  const c = container()
  const pod = deployment().spec.template.spec
  const volume = (pod.volumes as Obj[]).find((v) => v.configMap?.name === 'llmgw-config')!
  const mount = (c.volumeMounts as Obj[]).find((m) => m.name === volume.name)!
  assert.equal(mount.subPath, undefined, 'a subPath mount is never updated by the kubelet: hot reload would never see a change')
  assert.equal(mount.readOnly, true)
  const args = c.args as string[]
  assert.equal(args[0], 'serve')
  const file = args[args.indexOf('-c') + 1]!
  assert.equal(posix.dirname(file), mount.mountPath)
  assert.equal(posix.basename(file), 'llmgw.config.yaml', 'the ConfigMap key kustomize generates from the file name')
  assert.ok(!args.includes('--no-watch'))
  assert.ok(args.includes('--no-dashboard'))
  assert.deepEqual(c.envFrom, [{ secretRef: { name: one('Secret', 'llmgw-secrets').metadata.name } }])
})

test('Deployment: non-root, read-only root filesystem, no privilege escalation; the image user matches', () => {
  const pod = deployment().spec.template.spec
  const sc = container().securityContext
  assert.equal(pod.securityContext.runAsNonRoot, true)
  assert.ok(pod.securityContext.runAsUser > 0)
  assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault')
  assert.equal(sc.readOnlyRootFilesystem, true)
  assert.equal(sc.allowPrivilegeEscalation, false)
  assert.deepEqual(sc.capabilities.drop, ['ALL'])
  assert.ok((container().volumeMounts as Obj[]).some((m) => m.mountPath === '/tmp'), 'a writable /tmp on a read-only root')
  assert.equal(pod.automountServiceAccountToken, false)
  const user = dockerfile().stages.at(-1)!.instructions.filter((i) => i.op === 'USER').at(-1)!.args
  assert.equal(user, `${pod.securityContext.runAsUser}:${pod.securityContext.runAsGroup}`)
})

test('labels and selectors agree across Deployment, Service, HPA and PDB', () => {
  const d = deployment()
  const labels = d.spec.template.metadata.labels as Record<string, string>
  assert.deepEqual(d.spec.selector.matchLabels, labels)
  const svc = one('Service', 'llmgw')
  assert.deepEqual(svc.spec.selector, labels)
  assert.equal(svc.spec.ports[0].targetPort, 'http')
  assert.ok((container().ports as Obj[]).some((p) => p.name === svc.spec.ports[0].targetPort))
  assert.deepEqual(one('PodDisruptionBudget', 'llmgw').spec.selector.matchLabels, labels)
  const hpa = one('HorizontalPodAutoscaler', 'llmgw')
  assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: d.apiVersion, kind: d.kind, name: d.metadata.name })
  assert.deepEqual(hpa.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }])
  assert.ok(hpa.spec.minReplicas >= 2 && hpa.spec.maxReplicas > hpa.spec.minReplicas)
  assert.ok(one('PodDisruptionBudget', 'llmgw').spec.minAvailable < hpa.spec.minReplicas, 'a drain can always evict one pod')
  // The redis objects must not be caught by the gateway's selectors.
  const redisLabels = one('Deployment', 'llmgw-redis').spec.template.metadata.labels as Record<string, string>
  assert.ok(Object.entries(labels).some(([k, v]) => redisLabels[k] !== v))
})

// ---- Dockerfile ----

interface Instruction {
  op: string
  args: string
}
interface Stage {
  from: string
  name: string
  instructions: Instruction[]
}

function dockerfile(): { args: Record<string, string>; stages: Stage[] } {
  const text = readFileSync(join(ROOT, 'templates', 'docker', 'Dockerfile'), 'utf8')
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
  const args: Record<string, string> = {}
  const stages: Stage[] = []
  for (const line of lines) {
    const [, op, rest] = /^(\w+)\s+(.*)$/.exec(line) ?? []
    assert.ok(op && rest !== undefined, `Dockerfile line: ${line}`)
    if (op === 'ARG' && stages.length === 0) {
      const [k, v] = rest.split('=')
      args[k!] = v ?? ''
    } else if (op === 'FROM') {
      const [, image, name] = /^(\S+)\s+AS\s+(\S+)$/i.exec(rest) ?? []
      assert.ok(image && name, `every stage is named: FROM ${rest}`)
      stages.push({ from: image.replace(/^\$\{(\w+)\}$/, (_, k: string) => args[k] ?? ''), name, instructions: [] })
    } else {
      assert.ok(stages.length > 0, `${op} before FROM`)
      stages.at(-1)!.instructions.push({ op: op.toUpperCase(), args: rest })
    }
  }
  return { args, stages }
}

test('Dockerfile: multi-stage on glibc node:20 slim, dev deps only in the build, non-root runtime', async () => {
  const { stages } = dockerfile()
  assert.deepEqual(stages.map((s) => s.name), ['build', 'deps', 'runtime'])
  for (const s of stages) assert.equal(s.from, 'node:20-bookworm-slim')
  assert.doesNotMatch(readFileSync(join(ROOT, 'templates', 'docker', 'Dockerfile'), 'utf8'), /^FROM\s+\S*alpine/im)
  const run = (s: Stage) => s.instructions.filter((i) => i.op === 'RUN').map((i) => i.args).join('\n')
  const [build, deps, runtime] = stages as [Stage, Stage, Stage]
  assert.match(run(build), /npm ci --ignore-scripts/)
  assert.doesNotMatch(run(build), /--omit=dev/)
  assert.match(run(build), /npm run build/)
  assert.match(run(deps), /npm ci --omit=dev --omit=optional --ignore-scripts/)
  assert.ok(runtime.instructions.every((i) => i.op !== 'RUN' || !/npm (ci|install)/.test(i.args)), 'the runtime installs nothing itself')
  const copies = runtime.instructions.filter((i) => i.op === 'COPY').map((i) => i.args)
  assert.ok(copies.includes('--from=deps /app/node_modules ./node_modules'))
  assert.ok(copies.includes('--from=build /src/dist ./dist'))

  // The image holds what the npm package holds (package.json "files"), pruned the same way.
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[]; bin: Record<string, string> }
  const dests = copies.map((c) => c.split(/\s+/).at(-1)!.replace(/^\.\//, '').replace(/\/$/, ''))
  for (const f of pkg.files.filter((x) => !x.startsWith('!'))) assert.ok(dests.includes(f.replace(/\/$/, '')), `the runtime copies ${f}`)
  assert.match(run(build), /rm -rf dist\/e2e dist\/testing dist\/\.tsbuildinfo/)
  assert.match(run(build), /-name '\*\.test\.js' -delete/)
  assert.match(run(runtime), new RegExp(`ln -s /app/${pkg.bin.llmgw} /usr/local/bin/llmgw`))

  const last = (op: string) => runtime.instructions.filter((i) => i.op === op).at(-1)?.args ?? ''
  assert.match(last('USER'), /^[1-9]\d*:[1-9]\d*$/, 'numeric, not root, so runAsNonRoot can verify it')
  assert.deepEqual(JSON.parse(last('ENTRYPOINT')), ['llmgw'])
  const cmd = JSON.parse(last('CMD')) as string[]
  assert.equal(cmd[0], 'serve')
  assert.deepEqual(cmd.slice(cmd.indexOf('--host'), cmd.indexOf('--host') + 2), ['--host', '0.0.0.0'])
  const { spec } = await podSpec()
  assert.deepEqual(last('EXPOSE').split(/\s+/).map(Number), [spec.server.port, spec.admin.port])
  assert.match(last('HEALTHCHECK'), /CMD \["node", "-e", ".*127\.0\.0\.1:8080\/healthz/)
  // The HEALTHCHECK script itself: exit 1 when nothing answers (the port is closed at once).
  const script = (JSON.parse(last('HEALTHCHECK').replace(/^.*?CMD /, '')) as string[])[2]!
  const down = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, LLMGW_HEALTH_URL: 'http://127.0.0.1:9/healthz' }, timeout: 20_000 })
  assert.equal(down.status, 1)
})

/** Docker's .dockerignore rules, as far as this file uses them: last match wins, a pattern also covers what is below. */
function ignored(rules: string[], path: string): boolean {
  let out = false
  const parts = path.split('/')
  for (const rule of rules) {
    const negate = rule.startsWith('!')
    const body = (negate ? rule.slice(1) : rule).replace(/\/$/, '')
    const re = new RegExp(`^${body.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '(.*/)?').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`)
    if (parts.some((_, i) => re.test(parts.slice(0, i + 1).join('/')))) out = !negate
  }
  return out
}

test('Dockerfile.dockerignore: everything the Dockerfile copies is in the context, node_modules/dist/.git are not', () => {
  const rules = readFileSync(join(ROOT, 'templates', 'docker', 'Dockerfile.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
  const sources = dockerfile()
    .stages.flatMap((s) => s.instructions)
    .filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))
    .flatMap((i) => i.args.split(/\s+/).slice(0, -1))
  assert.ok(sources.length >= 8)
  for (const s of sources) {
    assert.ok(existsSync(join(ROOT, s)), `COPY source ${s} exists`)
    assert.ok(!ignored(rules, s.replace(/\/$/, '')), `COPY source ${s} is in the build context`)
  }
  for (const s of ['src/app/start.ts', 'fixtures/protos', 'templates/kubernetes/deployment.yaml']) assert.ok(!ignored(rules, s), s)
  for (const s of ['node_modules', 'node_modules/undici/index.js', 'dist', 'dist/cli/main.js', '.git', 'bench/results.json', 'fixtures/lint', 'CHANGELOG.md', 'dist/.tsbuildinfo'])
    assert.ok(ignored(rules, s), `${s} stays out of the build context`)
})

// ---- pre-commit ----

const BIN = join(ROOT, 'bin', 'llmgw.js')

function hook(): Obj {
  const hooks = parseYaml(readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as Obj[]
  assert.equal(hooks.length, 1)
  return hooks[0]!
}

test('.pre-commit-hooks.yaml: llmgw-lint runs `llmgw lint` on the spec names llmgw itself finds', () => {
  const h = hook()
  assert.equal(h.id, 'llmgw-lint')
  assert.equal(h.language, 'node')
  assert.equal(h.entry, 'llmgw lint')
  assert.equal(h.pass_filenames, true)
  // The package's bin is what `npm install -g` of the hook repo puts on PATH as `llmgw`.
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }
  assert.ok(existsSync(join(ROOT, pkg.bin[String(h.entry).split(' ')[0]!]!)))
  const files = new RegExp(h.files as string) // pre-commit's Python `re.search`; this pattern means the same in JS
  for (const name of SEARCH_PLACES.filter((n) => n !== 'package.json')) {
    assert.ok(files.test(name), name)
    assert.ok(files.test(`deploy/prod/${name}`), `deploy/prod/${name}`)
  }
  for (const name of ['templates/kubernetes/deployment.yaml', 'llmgw-deployment.yaml', 'package.json', 'my-llmgw.config.yaml', 'llmgw.config.yaml.bak', 'docs/llmgw.config.md'])
    assert.ok(!files.test(name), `${name} is not a spec`)
})

test('the hook as pre-commit runs it: entry + the staged file names, from the repo root; fails on a bad spec', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'llmgw-precommit-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const h = hook()
  const files = new RegExp(h.files as string)
  mkdirSync(join(dir, 'deploy', 'prod'), { recursive: true })
  mkdirSync(join(dir, 'deploy', 'staging'), { recursive: true })
  const good = 'version: 1\nproviders:\n  - { name: sim, type: mock }\nmodels:\n  - { name: m, targets: [{ provider: sim, model: mock-1 }] }\n'
  writeFileSync(join(dir, 'llmgw.config.yaml'), good)
  writeFileSync(join(dir, 'deploy', 'prod', 'llmgw.config.json'), JSON.stringify(parseYaml(good)))
  writeFileSync(join(dir, 'deploy', 'staging', 'llmgw.config.yaml'), good.replace('provider: sim', 'provider: sims'))
  writeFileSync(join(dir, 'README.md'), '# not a spec\n')
  const staged = ['README.md', 'llmgw.config.yaml', 'deploy/prod/llmgw.config.json', 'deploy/staging/llmgw.config.yaml'].filter((f) => files.test(f))
  assert.equal(staged.length, 3)
  const [cmd, ...entryArgs] = (h.entry as string).split(' ')
  assert.equal(cmd, 'llmgw')
  const run = (names: string[]) =>
    spawnSync(process.execPath, [BIN, ...entryArgs, ...names], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 })

  const clean = run(staged.filter((f) => !f.includes('staging')))
  assert.equal(clean.status, 0, clean.stdout + clean.stderr)
  const bad = run(staged)
  assert.equal(bad.status, 1, bad.stdout + bad.stderr)
  assert.match(bad.stdout, /deploy\/staging\/llmgw\.config\.yaml:5:\d+ +error +models\[0\]\.targets\[0\]\.provider: unknown provider 'sims'/)
  assert.doesNotMatch(bad.stdout, /deploy\/prod\/llmgw\.config\.json:\d/)
})

test('the Kubernetes spec through the hook command: clean with the Secret env, an error without it', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'llmgw-precommit-k8s-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const rel = relative(ROOT, SPEC_FILE)
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, [BIN, 'lint', '--strict', rel], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env }, timeout: 60_000 })
  const ok = run(secretEnv())
  assert.equal(ok.status, 0, ok.stdout + ok.stderr)
  const missing = run({})
  assert.equal(missing.status, 1)
  assert.match(missing.stdout, /environment variable OPENAI_API_KEY is not set/)
  assert.ok(!dirname(rel).startsWith('..'))
})

// ---- kustomize itself, where kubectl is installed (it is not part of the project's machines) ----

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8', timeout: 20_000 }).status === 0

test('kubectl kustomize renders the template: the spec ConfigMap, the image, and the redis component', { skip: kubectl ? false : 'kubectl is not installed' }, (t) => {
  const render = (dir: string): Obj[] => {
    const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 60_000 })
    assert.equal(r.status, 0, r.stderr)
    return parseAllDocuments(r.stdout).map((d) => d.toJS() as Obj)
  }
  const base = render(K8S)
  assert.deepEqual(base.map((d) => `${d.kind}/${d.metadata.name}`).sort(), [
    'ConfigMap/llmgw-config',
    'Deployment/llmgw',
    'HorizontalPodAutoscaler/llmgw',
    'PodDisruptionBudget/llmgw',
    'Secret/llmgw-secrets',
    'Service/llmgw',
  ])
  const cm = base.find((d) => d.kind === 'ConfigMap')!
  assert.deepEqual(Object.keys(cm.data), ['llmgw.config.yaml'])
  assert.equal(cm.data['llmgw.config.yaml'], readFileSync(SPEC_FILE, 'utf8'))
  const dep = base.find((d) => d.kind === 'Deployment')!
  assert.equal(dep.spec.template.spec.volumes.find((v: Obj) => v.name === 'config').configMap.name, cm.metadata.name)
  assert.equal(dep.spec.template.spec.containers[0].image, container().image)

  // With the component switched on, in a copy.
  const dir = mkdtempSync(join(tmpdir(), 'llmgw-kustomize-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const copy = join(dir, 'kubernetes')
  spawnSync('cp', ['-r', K8S, copy])
  const k = join(copy, 'kustomization.yaml')
  writeFileSync(k, readFileSync(k, 'utf8').replace('# components:\n#   - redis', 'components:\n  - redis'))
  const withRedis = render(copy)
  assert.ok(withRedis.some((d) => d.kind === 'Deployment' && d.metadata.name === 'llmgw-redis'))
  const env = withRedis.find((d) => d.kind === 'Deployment' && d.metadata.name === 'llmgw')!.spec.template.spec.containers[0].env as Obj[]
  assert.deepEqual(env.find((e) => e.name === 'LLMGW_STATE_STORE'), { name: 'LLMGW_STATE_STORE', value: 'redis' })
})
