// Renders the serve dashboard with fake data on a real terminal (run inside tmux). Usage:
//   node bench/observe/dashboard-tmux.mjs [distDir=dist] [quitFile]
// q or Ctrl-C calls onQuit: it writes "quit" to quitFile (when given), unmounts, and exits 0.
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const dist = resolve(process.argv[2] ?? 'dist')
const quitFile = process.argv[3]
const { renderDashboard } = await import(pathToFileURL(`${dist}/ui/dashboard.js`).href)
const { demoDashboardData } = await import(pathToFileURL(`${dist}/ui/dashboard-demo.js`).href)

let rps = 800
const handle = renderDashboard({
  read: () => ({ ...demoDashboardData(), requestsPerSec: (rps += 1.5) }),
  onQuit: () => {
    if (quitFile) writeFileSync(quitFile, 'quit\n')
    handle.unmount()
    process.exit(0)
  },
})
