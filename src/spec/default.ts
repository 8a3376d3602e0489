/** The embedded default spec (SPEC §2): a mock provider, model mock-1, no keys, port 8080; used when no file is found. */
import { checkDocument, type LoadResult } from './check.js'
import { locateNowhere } from './problems.js'

export const DEFAULT_SPEC_LABEL = '<default>'

const DEFAULT_DOCUMENT = {
  version: 1,
  server: { host: '127.0.0.1', port: 8080 },
  providers: [{ name: 'mock', type: 'mock', mock: { latency: '20ms', tokensPerSecond: 0, failRate: 0 } }],
  models: [{ name: 'mock-1', targets: [{ provider: 'mock', model: 'mock-1' }] }],
} as const

/** The default as a LoadResult with `file: undefined`; always ok (a test proves it). */
export function defaultSpec(cwd: string = process.cwd()): LoadResult {
  return checkDocument({
    raw: structuredClone(DEFAULT_DOCUMENT),
    file: DEFAULT_SPEC_LABEL,
    resultFile: undefined,
    locate: locateNowhere,
    env: {},
    baseDir: cwd,
  })
}
