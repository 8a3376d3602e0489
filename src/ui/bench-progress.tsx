/** The live `llmgw bench` progress view on a TTY (SPEC §2 `bench`): scenario, elapsed/total, live req/s. */
import React, { useEffect, useState } from 'react'
import { Box, Text, render, type Instance } from 'ink'

/** What the view shows of a run; bench/session.ts emits it (bench/ may import ui/, not the other way). */
export interface Progress {
  readonly scenario: string
  readonly side: 'gateway' | 'direct' | 'ttfb' | 'starting'
  readonly index: number
  readonly total: number
  readonly elapsedMs: number
  readonly totalMs: number
  readonly reqPerSec: number
  /** 1-based round of an interleaved --rounds run (bench/session.ts). */
  readonly round?: number
  readonly rounds?: number
}

export interface ProgressFeed {
  /** Latest progress; the view polls it so a busy load loop never waits on rendering. */
  current(): Progress | undefined
}

const SIDE: Record<Progress['side'], string> = { starting: 'starting mock + gateway', gateway: 'through the gateway', direct: 'direct to the mock', ttfb: 'unloaded first-byte probe' }

export function BenchProgress({ feed, intervalMs = 250 }: { feed: ProgressFeed; intervalMs?: number }): React.JSX.Element {
  const [p, setP] = useState<Progress | undefined>(feed.current())
  useEffect(() => {
    const t = setInterval(() => setP(feed.current()), intervalMs)
    return () => clearInterval(t)
  }, [feed, intervalMs])
  if (!p) return <Text dimColor>llmgw bench: preparing…</Text>
  if (p.side === 'starting') return <Text color="cyan">llmgw bench: {SIDE.starting}…</Text>
  const frac = p.totalMs > 0 ? Math.min(1, p.elapsedMs / p.totalMs) : 0
  const width = 24
  const filled = Math.round(frac * width)
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>{p.scenario}</Text>
        <Text dimColor> ({p.index + 1}/{p.total}) </Text>
        <Text>{SIDE[p.side]}</Text>
        {(p.rounds ?? 1) > 1 && p.side !== 'ttfb' ? <Text dimColor>, round {p.round}/{p.rounds}</Text> : null}
      </Text>
      {p.side === 'ttfb' ? null : (
        <Text>
          <Text color="green">{'█'.repeat(filled)}</Text>
          <Text dimColor>{'░'.repeat(width - filled)}</Text>
          <Text> {(p.elapsedMs / 1000).toFixed(0)}s / {(p.totalMs / 1000).toFixed(0)}s  </Text>
          <Text color="yellow">{Math.round(p.reqPerSec).toLocaleString('en-US')} req/s</Text>
        </Text>
      )}
    </Box>
  )
}

/** Mounts the view on stderr (stdout stays clean for the table); returns a function that unmounts it. */
export function mountBenchProgress(feed: ProgressFeed): () => void {
  const inst: Instance = render(<BenchProgress feed={feed} />, { stdout: process.stderr, exitOnCtrlC: false, patchConsole: false })
  return () => {
    inst.unmount()
    inst.cleanup()
  }
}
