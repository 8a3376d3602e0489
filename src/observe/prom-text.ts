/** A strict parser for the Prometheus text exposition format 0.0.4 (what /metrics serves, SPEC §4), for checks. */

export interface PromSample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

export interface PromFamily {
  readonly name: string
  type: string | undefined
  help: string | undefined
  readonly samples: PromSample[]
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"\s*(,|$)/y
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped'])
const SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created']

function parseValue(text: string, line: number): number {
  if (text === '+Inf') return Infinity
  if (text === '-Inf') return -Infinity
  if (text === 'NaN') return NaN
  const v = Number(text)
  if (text === '' || Number.isNaN(v)) throw new Error(`line ${line}: bad sample value "${text}"`)
  return v
}

function parseLabels(body: string, line: number): Record<string, string> {
  const labels: Record<string, string> = {}
  LABEL.lastIndex = 0
  while (LABEL.lastIndex < body.length) {
    const m = LABEL.exec(body)
    if (!m) throw new Error(`line ${line}: bad label set {${body}}`)
    if (m[1]! in labels) throw new Error(`line ${line}: duplicate label ${m[1]}`)
    labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c))
    if (m[3] === '') break
  }
  return labels
}

function familyOf(families: Map<string, PromFamily>, sample: string): PromFamily | undefined {
  const direct = families.get(sample)
  if (direct) return direct
  for (const s of SUFFIXES) if (sample.endsWith(s)) return families.get(sample.slice(0, -s.length))
  return undefined
}

/** Parse the whole body; throws with a line number on the first violation (unknown family, bad label, bad value). */
export function parsePromText(text: string): Map<string, PromFamily> {
  const families = new Map<string, PromFamily>()
  const get = (name: string): PromFamily => {
    let f = families.get(name)
    if (!f) families.set(name, (f = { name, type: undefined, help: undefined, samples: [] }))
    return f
  }
  text.split('\n').forEach((raw, i) => {
    const line = i + 1
    if (raw.trim() === '') return
    if (raw.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(raw)
      if (!m) return // a plain comment
      if (!NAME.test(m[2]!)) throw new Error(`line ${line}: bad metric name ${m[2]}`)
      const f = get(m[2]!)
      if (m[1] === 'TYPE') {
        if (!TYPES.has(m[3]!)) throw new Error(`line ${line}: bad type ${m[3]}`)
        if (f.samples.length > 0) throw new Error(`line ${line}: TYPE after samples of ${f.name}`)
        f.type = m[3]
      } else f.help = m[3]
      return
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/.exec(raw)
    if (!m) throw new Error(`line ${line}: not a sample: ${raw}`)
    const f = familyOf(families, m[1]!)
    if (!f) throw new Error(`line ${line}: sample ${m[1]} has no # TYPE`)
    f.samples.push({ name: m[1]!, labels: m[2] ? parseLabels(m[2], line) : {}, value: parseValue(m[3]!, line) })
  })
  return families
}

/** The value of the one sample with exactly these label values (unlisted labels ignored); 0 when absent. */
export function sampleValue(families: Map<string, PromFamily>, name: string, labels: Record<string, string> = {}): number {
  const f = familyOf(families, name)
  const hit = f?.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
  return hit?.value ?? 0
}
