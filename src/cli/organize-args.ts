import { UsageError } from './usage'

export type OrganizeCliOptions =
  | {
      action: 'organize'
      mode: 'copy' | 'move'
      out: string
      threshold: number
      dryRun: boolean
      db: string | undefined
    }
  | { action: 'undo' | 'rollback'; runId: number | undefined; db: string | undefined }
  | { action: 'resume'; db: string | undefined }

/** The options `parseCliArgs` adds for organizing (see ORGANIZE_USAGE). */
export const ORGANIZE_OPTIONS = {
  organize: { type: 'string' },
  out: { type: 'string', short: 'o' },
  threshold: { type: 'string', short: 't' },
  'dry-run': { type: 'boolean' },
  db: { type: 'string' },
  undo: { type: 'boolean' },
  resume: { type: 'boolean' },
  rollback: { type: 'boolean' },
  run: { type: 'string' },
} as const

/** The default `--threshold`: the same as the library's default suggestion threshold. */
export const DEFAULT_ORGANIZE_THRESHOLD = 0.5

export const ORGANIZE_USAGE = `
Organizing: classify a folder, then copy or move its photos into class folders.
      --organize MODE  copy or move: every photo of the folder (one folder,
                       searched recursively) goes to OUT/<class>/<file name>;
                       class folder names are made safe for every file system,
                       and a name already taken gets a suffix: "name (2).jpg".
                       Nothing is ever overwritten.
  -o, --out DIR        the output folder (created when missing)
  -t, --threshold P    photos whose top probability is under P (0 to 1, or a
                       percentage such as 60%) go to OUT/_uncertain/
                       (default ${DEFAULT_ORGANIZE_THRESHOLD}); photos that are none of the model's
                       classes go to OUT/_unknown/, whatever their probability
      --dry-run        classify, then print the plan (folders with counts, the
                       first steps) without touching any file
      --db FILE        the database of jobs, results, the organize journal and
                       the engines' measured speeds
                       (default: $RESNET_LENS_CLI_DB, else cli.db in the user's
                       data folder: ~/.local/share/resnet-lens on Linux,
                       ~/Library/Application Support/ResNet Lens on macOS,
                       %LOCALAPPDATA%\\ResNet Lens on Windows). It stays out of
                       the folders organized, so an undo leaves them exactly as
                       they were. Photos already classified there by the same
                       model (same content) are not classified again.
      --undo           undo an organize run: moved files go back, copies are
                       removed, folders it created are removed when empty
                       (the last finished run, or --run ID)
      --resume         finish what was interrupted (Ctrl-C, a crash): the
                       classification, then the organize run
      --rollback       put back what an interrupted organize run did
                       (the last interrupted run, or --run ID)
      --run ID         the organize run for --undo or --rollback
  With --json, one JSON object on stdout sums up the job, the plan and the run.
  Progress goes to stderr: a bar on a terminal, a line every few seconds else.
`

type Values = {
  [K in keyof typeof ORGANIZE_OPTIONS]?: (typeof ORGANIZE_OPTIONS)[K]['type'] extends 'string' ? string : boolean
}

/** The organize part of the command line; undefined when none of its options is given. */
export function parseOrganizeArgs(values: Values, positionals: readonly string[]): OrganizeCliOptions | undefined {
  const actions = (['organize', 'undo', 'resume', 'rollback'] as const).filter((a) => values[a] !== undefined)
  if (actions.length > 1) throw new UsageError(`--${actions[0]} and --${actions[1]} cannot be combined`)
  const action = actions[0]
  const forOrganize = (['out', 'threshold', 'dry-run'] as const).filter((o) => values[o] !== undefined)
  if (action !== 'organize' && forOrganize.length > 0) throw new UsageError(`--${forOrganize[0]} needs --organize`)
  if (values.db === '') throw new UsageError('--db expects a file name')
  if (action === undefined) {
    if (values.run !== undefined) throw new UsageError('--run needs --undo or --rollback')
    return undefined
  }
  const db = values.db
  if (action === 'organize') {
    const mode = values.organize
    if (mode !== 'copy' && mode !== 'move') throw new UsageError(`--organize expects copy or move, got "${mode}"`)
    if (values.out === undefined || values.out === '') throw new UsageError('--organize needs --out DIR')
    if (values.run !== undefined) throw new UsageError('--run needs --undo or --rollback')
    if (positionals.length !== 1) throw new UsageError('--organize takes exactly one folder')
    return {
      action,
      mode,
      out: values.out,
      threshold: parseThreshold(values.threshold),
      dryRun: values['dry-run'] ?? false,
      db,
    }
  }
  if (positionals.length > 0) throw new UsageError(`--${action} takes no files or folders`)
  if (action === 'resume') {
    if (values.run !== undefined) throw new UsageError('--run needs --undo or --rollback')
    return { action, db }
  }
  let runId: number | undefined
  if (values.run !== undefined) {
    if (!/^\d+$/.test(values.run) || Number(values.run) < 1) {
      throw new UsageError(`--run expects a run number, got "${values.run}"`)
    }
    runId = Number(values.run)
  }
  return { action, runId, db }
}

function parseThreshold(text: string | undefined): number {
  if (text === undefined) return DEFAULT_ORGANIZE_THRESHOLD
  const match = /^(\d+(?:\.\d+)?|\.\d+)(%?)$/.exec(text.trim())
  const value = match ? Number(match[1]) / (match[2] ? 100 : 1) : NaN
  if (!(value >= 0 && value <= 1)) {
    throw new UsageError(`--threshold expects a probability from 0 to 1 (or 0% to 100%), got "${text}"`)
  }
  return value
}
