/** clinicStatus (profile --tool doctor|flame): clinic is used only when its tool loads; otherwise one line says why. */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { packageRoot } from '../core/package-root.js'
import { clinicStatus, parseClinicReport } from './clinic.js'

const installed = ((): boolean => {
  try {
    createRequire(join(packageRoot(), 'package.json')).resolve('clinic/package.json')
    return true
  } catch {
    return false
  }
})()

test('the optional dependency: used when npm installed it, else "not installed"', () => {
  const s = clinicStatus('flame', { PATH: '' })
  if (installed) {
    assert.ok(s.bin?.endsWith('bin.js'), s.reason)
    assert.match(s.reason, /^using clinic at /)
  } else {
    assert.equal(s.bin, undefined)
    assert.match(s.reason, /clinic is not installed/)
  }
})

test('a clinic whose tool throws on load is not used, and the reason names the error', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'llmgw-clinic-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const pkg = join(dir, 'lib', 'node_modules')
  mkdirSync(join(pkg, 'clinic'), { recursive: true })
  mkdirSync(join(pkg, '@clinic', 'flame'), { recursive: true })
  writeFileSync(join(pkg, 'clinic', 'bin.js'), '')
  writeFileSync(join(pkg, '@clinic', 'flame', 'package.json'), '{"name":"@clinic/flame","main":"index.js"}')
  writeFileSync(join(pkg, '@clinic', 'flame', 'index.js'), "throw new Error('native module 0x not built')")
  mkdirSync(join(dir, 'bin'))
  symlinkSync(join(pkg, 'clinic', 'bin.js'), join(dir, 'bin', 'clinic'))
  const empty = mkdtempSync(join(tmpdir(), 'llmgw-noclinic-'))
  t.after(() => rmSync(empty, { recursive: true, force: true }))
  const broken = clinicStatus('flame', { PATH: join(dir, 'bin') }, empty)
  assert.equal(broken.bin, undefined)
  assert.match(broken.reason, /does not load \(.*native module 0x not built/)
  const missing = clinicStatus('doctor', { PATH: join(dir, 'bin') }, empty)
  assert.equal(missing.bin, undefined)
  assert.match(missing.reason, /@clinic\/doctor is missing/)
  assert.match(clinicStatus('flame', { PATH: '' }, empty).reason, /not installed/)
})

test('parseClinicReport reads the HTML path clinic prints', () => {
  assert.equal(parseClinicReport('Analysing data\nGenerated HTML file is file:///tmp/x/12.clinic-flame.html\n'), '/tmp/x/12.clinic-flame.html')
  assert.equal(parseClinicReport('Analysing data\n'), undefined)
})
