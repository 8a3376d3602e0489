/** The live `llmgw serve` dashboard (SPEC §2 serve): ink view of DashboardData, polled at most 4 times a second. */
import React, { useEffect, useState } from 'react'
import { Box, Text, render, useInput, useStdin } from 'ink'
import type { DashboardData } from '../observe/snapshot.js'
import { cell, formatAge, formatClock, formatMs, formatPercent, formatRate, formatUptime, formatUsd } from './dashboard-format.js'

export interface DashboardProps {
  readonly read: () => DashboardData
  readonly onQuit: () => void
  /** Poll interval; never below 250 ms (at most 4 frames a second). */
  readonly refreshMs?: number
  /** Clock for "reload 12s ago" (tests). */
  readonly now?: () => number
}

const MIN_REFRESH_MS = 250
const BREAKER_COLOR = { closed: 'green', open: 'red', 'half-open': 'yellow' } as const

function Header({ d, now }: { d: DashboardData; now: number }): React.JSX.Element {
  const reload = d.lastReload
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold color="cyan">llmgw </Text>
        <Text bold>{d.listenUrl || '(starting)'}</Text>
        <Text dimColor>  spec </Text>
        <Text>{d.specFile ?? '(embedded default)'}</Text>
        <Text dimColor>  version </Text>
        <Text>{d.version.slice(0, 12) || '-'}</Text>
        <Text dimColor>  reload </Text>
        {reload ? (
          <Text color={reload.result === 'ok' ? 'green' : 'red'}>
            {reload.result} {formatAge(now - reload.at)}
          </Text>
        ) : (
          <Text dimColor>-</Text>
        )}
      </Text>
      {reload?.result === 'error' && reload.message ? <Text color="red">  reload failed, old spec serving: {reload.message}</Text> : null}
      <Text>
        <Text dimColor>req/s </Text>
        <Text bold>{formatRate(d.requestsPerSec)}</Text>
        <Text dimColor>  p50 </Text>
        <Text>{formatMs(d.p50Ms)}</Text>
        <Text dimColor>  p99 </Text>
        <Text>{formatMs(d.p99Ms)}</Text>
        <Text dimColor>  errors </Text>
        <Text color={d.errorRate > 0 ? 'red' : undefined}>{formatPercent(d.errorRate)}</Text>
        <Text dimColor> (4xx {formatPercent(d.clientErrorRate)})  in-flight </Text>
        <Text>{d.inflight}</Text>
        <Text dimColor>  total </Text>
        <Text>{d.totalRequests.toLocaleString('en-US')}</Text>
        <Text dimColor>  up {formatUptime(d.uptimeMs)}</Text>
      </Text>
    </Box>
  )
}

function Models({ d }: { d: DashboardData }): React.JSX.Element {
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold>{cell('MODEL', 24)} {cell('REQ/S', 9, 'right')} {cell('P99', 8, 'right')} {cell('TOK/S', 9, 'right')} {cell('COST', 11, 'right')}</Text>
      {d.models.map((m) => (
        <Text key={m.name}>
          {cell(m.name, 24)} {cell(formatRate(m.requestsPerSec), 9, 'right')} {cell(formatMs(m.p99Ms), 8, 'right')}{' '}
          {cell(formatRate(m.tokensPerSec), 9, 'right')} {cell(formatUsd(m.costUsd), 11, 'right')}
        </Text>
      ))}
    </Box>
  )
}

function Providers({ d }: { d: DashboardData }): React.JSX.Element | null {
  if (d.providers.length === 0) return null
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold>{cell('PROVIDER', 24)} {cell('BREAKER', 10)} {cell('QUEUE', 7, 'right')} {cell('IN-FLIGHT', 10, 'right')}</Text>
      {d.providers.map((p) => (
        <Text key={p.name}>
          {cell(p.name, 24)} <Text color={BREAKER_COLOR[p.breaker]}>{cell(p.breaker, 10)}</Text> {cell(String(p.queueDepth), 7, 'right')}{' '}
          {cell(String(p.inflight), 10, 'right')}
        </Text>
      ))}
    </Box>
  )
}

function Errors({ d }: { d: DashboardData }): React.JSX.Element {
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold>LAST ERRORS</Text>
      {d.errors.length === 0 ? <Text dimColor>none</Text> : null}
      {d.errors.map((e, i) => (
        <Text key={`${e.requestId}-${i}`}>
          <Text dimColor>{formatClock(e.time)} </Text>
          <Text color={e.status >= 500 ? 'red' : 'yellow'}>{e.status}</Text> {cell(e.code ?? '-', 22)} {cell(e.model ?? '-', 20)}{' '}
          <Text dimColor>{e.requestId}</Text>
        </Text>
      ))}
    </Box>
  )
}

/** Reads only what the pipeline already counted: no work per request, one read() per frame. */
export function Dashboard({ read, onQuit, refreshMs = MIN_REFRESH_MS, now = Date.now }: DashboardProps): React.JSX.Element {
  const [data, setData] = useState<DashboardData>(read)
  const { isRawModeSupported } = useStdin()
  useEffect(() => {
    const timer = setInterval(() => setData(read()), Math.max(MIN_REFRESH_MS, refreshMs))
    return () => clearInterval(timer)
  }, [read, refreshMs])
  useInput(
    (input, key) => {
      if (input === 'q' || (key.ctrl && input === 'c')) onQuit()
    },
    { isActive: isRawModeSupported === true },
  )
  return (
    <Box flexDirection="column">
      <Header d={data} now={now()} />
      <Models d={data} />
      <Providers d={data} />
      <Errors d={data} />
      <Text dimColor>{'\n'}q quit (drains in-flight requests)</Text>
    </Box>
  )
}

export interface DashboardHandle {
  unmount(): void
}

/** Mount on the terminal. Ctrl-C reaches onQuit (ink's own exit is off) so shutdown drains like SIGINT. */
export function renderDashboard(opts: { read: () => DashboardData; onQuit: () => void; refreshMs?: number }): DashboardHandle {
  let quitting = false
  const onQuit = () => {
    if (quitting) return
    quitting = true
    opts.onQuit()
  }
  const inst = render(<Dashboard read={opts.read} onQuit={onQuit} refreshMs={opts.refreshMs} />, { exitOnCtrlC: false, patchConsole: false })
  return {
    unmount() {
      inst.unmount()
      inst.cleanup()
    },
  }
}
