import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCliArgs, UsageError } from '../../src/cli/args'
import { defaultCliDbPath } from '../../src/cli/organize-db'
import { barLine, duration, plainLine, ProgressDisplay } from '../../src/cli/organize-progress'
import { repoRoot } from '../support/shared'
import { census, copyCifar, snapshot } from '../crash/organize-helpers'

const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
const cliPath = join(repoRoot, 'src', 'cli', 'classify.ts')

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

function startCli(args: string[], cwd: string): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, ['--import', tsxLoader, cliPath, ...args], { cwd })
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
  const done = new Promise<Run>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
  return { child, done }
}

const runCli = (args: string[], cwd: string): Promise<Run> => startCli(args, cwd).done
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

let work: string
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'organize-cli-'))
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('classify CLI --organize (spawned)', { timeout: 90_000 }, () => {
  it('--dry-run prints the plan grouped by class and touches no file; copy, then undo', async () => {
    const dir = join(work, 'copy')
    copyCifar(join(dir, 'photos'), 3, ['airplane', 'cat', 'ship'])
    writeFileSync(join(dir, 'photos', 'notes.txt'), 'not a photo')
    const before = snapshot(dir)
    const db = ['--db', join(work, 'copy.db')]

    const dry = await runCli(['photos', '--organize', 'copy', '--out', 'sorted', '--dry-run', ...db], dir)
    expect(dry.code, dry.stderr).toBe(0)
    expect(dry.stderr.split('\n')[0]).toBe('Model: ResNet-56 (CIFAR-10) (bundled)')
    expect(dry.stderr.split('\n')[1]).toMatch(/^Engine: native CPU: [\d.]+ img\/s; .*WASM [\d.]+ img\/s/)
    expect(dry.stderr).toMatch(/^Classifying: 9\/9 \(100\.0%\)/m)
    expect(dry.stderr).toMatch(/Classified 9 photos, 0 already known, 0 failed \(9 in .*photos\); 1 file skipped/)
    const lines = dry.stdout.trim().split('\n')
    expect(lines[0]).toBe(
      `Plan: copy 9 photos from ${join(dir, 'photos')} into ${join(dir, 'sorted')} (under 50.0% → _uncertain)`,
    )
    const groups = lines.slice(1, lines.indexOf('First steps:'))
    expect(groups.length).toBeGreaterThanOrEqual(3)
    expect(groups.reduce((n, line) => n + Number(line.trim().split(/\s+/).at(-1)), 0)).toBe(9)
    expect(dry.stdout).toMatch(
      /^ {2}airplane\/0000\.jpg → (_uncertain|[a-z]+)\/0000\.jpg {2}\((uncertain, |[a-z]+ )\d+\.\d%\)$/m,
    )
    expect(lines.at(-1)).toBe('Dry run: no file was touched.')
    expect(snapshot(dir)).toEqual(before)

    const copy = await runCli(['photos', '--organize', 'copy', '--out', 'sorted', '--threshold', '0', ...db], dir)
    expect(copy.code, copy.stderr).toBe(0)
    // Classified once: the dry run's results are reused.
    expect(copy.stderr).toMatch(/Classified 0 photos, 9 already known/)
    expect(copy.stderr).toMatch(/^Copying: 9\/9 \(100\.0%\)/m)
    expect(copy.stdout).toMatch(/^Copied 9 files into .*sorted \(organize run 1\)\.$/m)
    expect(copy.stdout).toMatch(/^Undo with: npm run classify -- --undo --run 1 --db .*copy\.db$/m)
    const organized = snapshot(join(dir, 'sorted'))
    expect(organized.size).toBe(9)
    expect(census(organized)).toEqual(census(new Map([...before].filter(([p]) => p.endsWith('.jpg')))))

    const undo = await runCli(['--undo', ...db], dir)
    expect(undo.code, undo.stderr).toBe(0)
    expect(undo.stdout.trim()).toBe(`Removed 9 files copied into ${join(dir, 'sorted')} (organize run 1, undone).`)
    expect(snapshot(dir)).toEqual(before)
    expect(existsSync(join(dir, 'sorted'))).toBe(false)
    const again = await runCli(['--undo', ...db], dir)
    expect([again.code, again.stderr.trim()]).toEqual([1, 'error: no organize run to undo in this database'])
  })

  it('Ctrl-C stops a move mid-way; --resume classifies the rest and organizes; --undo --run restores; --json', async () => {
    const dir = join(work, 'move')
    copyCifar(join(dir, 'photos'), 30)
    const before = snapshot(dir)
    const dbFile = join(work, 'move.db')
    const db = ['--db', dbFile]

    // WASM: slow enough that the interrupt lands while the job is classifying.
    const { child, done } = startCli(
      ['photos', '--organize', 'move', '--out', 'sorted', '-t', '60%', '--engine', 'wasm', ...db],
      dir,
    )
    // Interrupt once some results are in (the job is 300 photos).
    for (let recorded = 0; recorded < 20; await sleep(10)) {
      try {
        const reader = new Database(dbFile, { readonly: true, fileMustExist: true })
        recorded = reader.prepare('SELECT count(*) FROM job_photos WHERE outcome IS NOT NULL').pluck().get() as number
        reader.close()
      } catch {
        // not created yet
      }
    }
    child.kill('SIGINT')
    const stopped = await done
    expect(stopped.code).toBe(1)
    expect(stopped.stderr).toMatch(
      /Interrupted: job 1 stopped \(running\)\. Finish it with npm run classify -- --resume --db /,
    )
    expect(snapshot(dir)).toEqual(before)

    const resumed = await runCli(['--resume', '--json', ...db], dir)
    expect(resumed.code, resumed.stderr).toBe(0)
    const summary = JSON.parse(resumed.stdout) as {
      resumed: { job: { classified: number; reused: number }; run: { state: string; steps: { done: number } } }[]
    }
    expect(summary.resumed).toHaveLength(1)
    const [first] = summary.resumed
    expect(first!.run).toMatchObject({ state: 'done', steps: { done: 300 } })
    expect(first!.job.classified).toBe(300)
    const after = snapshot(dir)
    expect([...after.keys()].filter((p) => p.startsWith('photos/'))).toEqual([])
    expect(census(after)).toEqual(census(before))
    expect(readdirSync(join(dir, 'sorted'))).toContain('_uncertain')

    const nothing = await runCli(['--resume', ...db], dir)
    expect([nothing.code, nothing.stdout.trim()]).toEqual([0, 'Nothing to resume.'])
    const undo = await runCli(['--undo', '--run', '1', ...db], dir)
    expect(undo.code, undo.stderr).toBe(0)
    expect(undo.stdout.trim()).toBe(`Moved 300 files back from ${join(dir, 'sorted')} (organize run 1, undone).`)
    expect(snapshot(dir)).toEqual(before)
  })

  it('exits 2 with the usage for organize mistakes', async () => {
    const run = await runCli(['photos', '--organize', 'zip', '--out', 'x'], work)
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/^error: .*\n\nUsage: npm run classify/)
    // The CLI answers every UsageError so (the run above); each of these mistakes is one.
    for (const args of [
      ['photos', '--organize', 'copy'],
      ['a', 'b', '--organize', 'copy', '--out', 'x'],
      ['photos', '--out', 'x'],
      ['--undo', 'photos'],
      ['photos', '--organize', 'move', '--out', 'x', '--threshold', '2'],
    ]) {
      expect(() => parseCliArgs(args), args.join(' ')).toThrow(UsageError)
    }
  })
})

/** The options of a command line that is not --help. */
function optionsOf(argv: string[]) {
  const parsed = parseCliArgs(argv)
  if (parsed.help) throw new Error('unexpected --help')
  return parsed.options
}

describe('organize command line', () => {
  it('parses --organize, --undo, --resume, --rollback; keeps the plain options as they were', () => {
    expect(parseCliArgs(['dir', '--organize', 'copy', '--out', 'o'])).toEqual({
      help: false,
      options: {
        inputs: ['dir'],
        model: undefined,
        top: 5,
        json: false,
        organize: { action: 'organize', mode: 'copy', out: 'o', threshold: 0.5, dryRun: false, db: undefined },
      },
    })
    expect(optionsOf(['dir', '--organize', 'move', '-o', 'o', '-t', '60%', '--dry-run', '--db', 'x.db'])).toMatchObject(
      { organize: { mode: 'move', threshold: 0.6, dryRun: true, db: 'x.db' } },
    )
    expect(parseCliArgs(['dir', '--organize', 'move', '-o', 'o', '-t', '.25'])).toMatchObject({
      options: { organize: { threshold: 0.25 } },
    })
    expect(optionsOf(['--undo'])).toEqual({
      inputs: [],
      model: undefined,
      top: 5,
      json: false,
      organize: { action: 'undo', runId: undefined, db: undefined },
    })
    expect(parseCliArgs(['--rollback', '--run', '3', '--db', 'f'])).toMatchObject({
      options: { organize: { action: 'rollback', runId: 3, db: 'f' } },
    })
    expect(parseCliArgs(['--resume'])).toMatchObject({ options: { organize: { action: 'resume' } } })
    expect(optionsOf(['x']).organize).toBeUndefined()
    for (const args of [
      ['--undo', '--resume'],
      ['x', '--organize', 'copy', '--out', 'o', '--run', '1'],
      ['x', '--dry-run'],
      ['--undo', '--run', '0'],
      ['--resume', '--run', '1'],
      ['x', '--organize', 'copy', '--out', 'o', '-t', '-1'],
      ['x', '--organize', 'copy', '--out', 'o', '-t', '101%'],
      ['--organize', 'copy', '--out', 'o'],
    ]) {
      expect(() => parseCliArgs(args), args.join(' ')).toThrow(UsageError)
    }
  })

  it('keeps its database in the user data folder, out of the folders it organizes', () => {
    expect(defaultCliDbPath({}, 'linux', '/home/u')).toBe('/home/u/.local/share/resnet-lens/cli.db')
    expect(defaultCliDbPath({ XDG_DATA_HOME: '/data' }, 'linux', '/home/u')).toBe('/data/resnet-lens/cli.db')
    expect(defaultCliDbPath({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/ResNet Lens/cli.db')
    expect(defaultCliDbPath({ LOCALAPPDATA: 'C:/Users/u/AppData/Local' }, 'win32', 'C:/Users/u')).toMatch(
      /AppData[/\\]Local[/\\]ResNet Lens[/\\]cli\.db$/,
    )
    expect(defaultCliDbPath({ RESNET_LENS_CLI_DB: '/tmp/x.db' }, 'linux', '/home/u')).toBe('/tmp/x.db')
  })

  it('shows a bar on a terminal and plain lines otherwise', () => {
    const state = {
      label: 'Classifying',
      done: 1234,
      total: 5000,
      rate: 153.2,
      eta: 24.6,
      current: 'cat/0001.jpg',
      unit: 'img/s',
    }
    expect(plainLine(state)).toBe('Classifying: 1,234/5,000 (24.7%), 153 img/s, ETA 25 s')
    expect(barLine(state, 120)).toBe(
      'Classifying ██████░░░░░░░░░░░░░░░░░░ 1,234/5,000 24.7% · 153 img/s · ETA 25 s · cat/0001.jpg',
    )
    expect(duration(185)).toBe('3 min 05 s')
    expect(duration(3720)).toBe('1 h 02 min')

    const written: string[] = []
    const tty = new ProgressDisplay(
      { write: (t: string) => written.push(t), isTTY: true, columns: 100 },
      { intervalMs: 0 },
    )
    tty.update(state)
    tty.update({ ...state, done: 5000, eta: 0 })
    tty.flush()
    expect(written[0]!.startsWith('\r\x1b[2KClassifying █')).toBe(true)
    expect(written.at(-1)).toBe('\n')

    const lines: string[] = []
    const plain = new ProgressDisplay({ write: (t: string) => lines.push(t) }, { intervalMs: 60_000 })
    plain.update(state)
    plain.update({ ...state, done: 2000 }) // held back (too soon)
    plain.update({ ...state, label: 'Copying', done: 1, total: 10, unit: 'files/s' })
    plain.update({ ...state, label: 'Copying', done: 10, total: 10, rate: 0, eta: 0, unit: 'files/s' })
    plain.flush()
    expect(lines).toEqual([
      'Classifying: 1,234/5,000 (24.7%), 153 img/s, ETA 25 s\n',
      'Classifying: 2,000/5,000 (40.0%), 153 img/s, ETA 25 s\n',
      'Copying: 1/10 (10.0%), 153 files/s, ETA 25 s\n',
      'Copying: 10/10 (100.0%)\n',
    ])
  })
})
