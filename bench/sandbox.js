#!/usr/bin/env node
// Sandbox machine benchmark (issue 3): how long the things tests wait for
// take on this machine, measured with the provider's own code (dist/):
//   image build per release       once; "cached" when the image exists (--rebuild forces it)
//   machine start to SSH-ready    create + boot until sshd greets, then a first login
//   three machines in parallel    target: at most 10 s once the images exist
//   snapshot take and restore     commit a machine; a machine from it to SSH-ready
// Needs root and the packages the sandbox needs (docs/sandbox.md).
// Run after `npm run build`: node bench/sandbox.js [--runs N] [--rebuild]
import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {cpus} from 'node:os'
import {fileURLToPath} from 'node:url'

const dist = fileURLToPath(new URL('../dist/providers/sandbox/index.js', import.meta.url))
if (!existsSync(dist)) {
  console.error('bench/sandbox.js: build first (npm run build): dist/providers/sandbox is missing')
  process.exit(1)
}
const {RELEASES, Sandbox, imageTag} = await import(dist)

const runsArg = process.argv.indexOf('--runs')
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3
const rebuild = process.argv.includes('--rebuild')
const PARALLEL_TARGET = 10

const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const fmt = (value) => `${value.toFixed(2)} s`
let counter = 0
const name = () => `bench-${process.pid}-${++counter}`

function ssh(sandbox, machine, command) {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', [...sandbox.sshArguments(machine, 'admin'), command], {stdio: ['ignore', 'ignore', 'pipe']})
    let stderr = ''
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ssh ${machine.name}: exit ${code}: ${stderr.trim()}`))))
  })
}

/** Creates a machine; returns it with the seconds to sshd's banner and to a first login. */
async function bootOne(sandbox, spec) {
  const start = process.hrtime.bigint()
  const machine = await sandbox.machines.create({...spec, name: name()})
  const ready = seconds(start)
  await ssh(sandbox, machine, 'true')
  return {machine, ready, login: seconds(start)}
}

const opened = process.hrtime.bigint()
const sandbox = await Sandbox.open()
const engineSeconds = seconds(opened)
const made = []
const lines = []
const say = (line) => {
  lines.push(line)
  console.log(line)
}

try {
  say(`tk sandbox benchmark — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0].model.trim()}), node ${process.version}, ${runs} runs, medians`)
  say(`  engine ${sandbox.engine.startedHere ? 'start' : 'already running'}: ${fmt(engineSeconds)}`)

  if (rebuild) for (const release of RELEASES) await sandbox.engine.docker.getImage(imageTag(release)).remove({force: true}).catch(() => {})
  const buildStart = process.hrtime.bigint()
  const images = await sandbox.ensureImages(RELEASES)
  for (const image of images) say(`  image ${image.release.padEnd(9)} ${image.built ? fmt(image.seconds) : 'cached'}`)
  if (images.some((image) => image.built)) say(`  images, all releases in parallel: ${fmt(seconds(buildStart))}`)

  const single = {ready: [], login: []}
  const parallel = []
  const snapshotTake = []
  const restore = {ready: [], login: []}
  const removal = []
  for (let run = 0; run < runs; run++) {
    const one = await bootOne(sandbox, {release: 'bookworm'})
    made.push(one.machine.name)
    single.ready.push(one.ready)
    single.login.push(one.login)

    const start = process.hrtime.bigint()
    const three = await Promise.all(RELEASES.map((release) => bootOne(sandbox, {release})))
    parallel.push(seconds(start))
    made.push(...three.map((entry) => entry.machine.name))

    const snapshotName = `bench-${process.pid}-${run}`
    const takeStart = process.hrtime.bigint()
    await sandbox.machines.snapshot(one.machine.name, snapshotName)
    snapshotTake.push(seconds(takeStart))
    const restored = await bootOne(sandbox, {snapshot: snapshotName})
    made.push(restored.machine.name)
    restore.ready.push(restored.ready)
    restore.login.push(restored.login)

    const removeStart = process.hrtime.bigint()
    await Promise.all(made.splice(0).map((machine) => sandbox.machines.remove(machine)))
    removal.push(seconds(removeStart) / 5)
    await sandbox.machines.removeSnapshot(snapshotName)
  }
  say(`  machine start to SSH-ready (bookworm)        ${fmt(median(single.ready))}  (first login ${fmt(median(single.login))})`)
  say(`  three machines in parallel to first login   ${fmt(median(parallel))}  (bullseye, bookworm, trixie)`)
  say(`  snapshot take (commit of a running machine) ${fmt(median(snapshotTake))}`)
  say(`  snapshot restore to SSH-ready               ${fmt(median(restore.ready))}  (first login ${fmt(median(restore.login))})`)
  say(`  machine removal with its volume             ${fmt(median(removal))}`)
  const verdict = median(parallel) <= PARALLEL_TARGET ? 'PASS' : 'FAIL'
  say(`  ${verdict} three machines in parallel = ${median(parallel).toFixed(2)} s (limit ${PARALLEL_TARGET.toFixed(2)})`)
  process.exitCode = verdict === 'PASS' ? 0 : 1
} finally {
  await Promise.all(made.map((machine) => sandbox.machines.remove(machine).catch(() => {})))
  await sandbox.close()
}
