import type { ReactNode } from 'react'
import type { Architecture } from '../../../shared/ipc/contract'
import { formatMacs, formatParamCount } from '../lib/format'
import { stageNames } from './stage-text'

function Fact({ id, label, children, hint }: { id: string; label: string; children: ReactNode; hint?: ReactNode }) {
  return (
    <div className="min-w-0 rounded-xl border border-zinc-200 bg-white px-3.5 py-2.5 shadow-[0_1px_2px_rgba(0,0,0,0.04)] dark:border-zinc-800 dark:bg-zinc-900">
      <dt className="text-[10.5px] font-semibold tracking-wide text-zinc-500 uppercase dark:text-zinc-500">{label}</dt>
      <dd
        data-testid={`arch-fact-${id}`}
        className="mt-0.5 truncate text-[17px] font-semibold tracking-tight text-zinc-900 tabular-nums dark:text-zinc-50"
      >
        {children}
      </dd>
      {hint && <dd className="truncate text-[11px] text-zinc-500 tabular-nums dark:text-zinc-400">{hint}</dd>}
    </div>
  )
}

/** The model in five numbers: depth, parameters, compute, input and classes. */
export function ArchitectureFacts({ arch }: { arch: Architecture }) {
  const classes = arch.head?.classes ?? arch.stages.at(-1)?.output[0]
  return (
    <dl className="grid grid-cols-[repeat(auto-fit,minmax(10rem,1fr))] gap-3">
      <Fact id="depth" label="Depth" hint={arch.depthFormula ?? 'not a standard ResNet count'}>
        {arch.depth ?? '–'} layers
      </Fact>
      <Fact
        id="params"
        label="Parameters"
        hint={
          <span
            title={`${arch.params.toLocaleString('en-US')} in the graph; ${arch.paramsUnfolded.toLocaleString('en-US')} as trained`}
          >
            {arch.paramsUnfolded !== arch.params
              ? `${formatParamCount(arch.paramsUnfolded)} as trained`
              : `${arch.params.toLocaleString('en-US')} weights`}
          </span>
        }
      >
        <span title={arch.params.toLocaleString('en-US')}>{formatParamCount(arch.params)}</span>
      </Fact>
      <Fact
        id="macs"
        label="Compute"
        hint={<span title="1 multiply-add = 2 FLOPs">{`${((arch.macs * 2) / 1e9).toFixed(2)} GFLOPs`}</span>}
      >
        <span title={Math.round(arch.macs).toLocaleString('en-US')}>{formatMacs(arch.macs)}</span>
      </Fact>
      <Fact
        id="input"
        label="Input"
        hint={arch.input.assumed ? 'assumed: the graph leaves it open' : 'RGB, from the graph'}
      >
        3×{arch.input.height}×{arch.input.width}
      </Fact>
      <Fact
        id="classes"
        label="Classes"
        hint={arch.head ? `from ${arch.head.channels.toLocaleString('en-US')} pooled features` : undefined}
      >
        {classes !== undefined ? classes.toLocaleString('en-US') : '–'}
      </Fact>
    </dl>
  )
}

/** How the depth in the name is counted, with the terms of the sum spelled out stage by stage. */
export function DepthExplanation({ arch }: { arch: Architecture }) {
  const residual = arch.stages.filter((s) => s.kind === 'residual')
  const blocks = residual.reduce((n, s) => n + s.blocks, 0)
  const perBlock = residual[0]?.residualBlocks[0]?.filters.length
  const counted = arch.stages.filter((s) => s.layers > 0)
  const tally = counted.map((s) => `${stageNames(s).paper}\u00a0${s.layers}`).join(' + ')
  const total = counted.reduce((n, s) => n + s.layers, 0)
  const blocksOf = residual.flatMap((s) => s.residualBlocks)
  const left = [
    arch.stages.some((s) => s.kind === 'pool') ? 'the max pool' : '',
    arch.stages.some((s) => s.kind === 'global-pool') ? 'the global average pool' : '',
    blocksOf.some((b) => b.shortcut === 'projection') ? 'the 1×1 projection shortcuts' : '',
    blocksOf.some((b) => b.shortcut === 'option-a') ? 'the option-A shortcuts (no weights at all)' : '',
  ].filter(Boolean)
  const leftText = left.length > 1 ? `${left.slice(0, -1).join(', ')} and ${left.at(-1)}` : (left[0] ?? '')
  return (
    <section
      data-testid="arch-depth"
      aria-labelledby="arch-depth-heading"
      className="space-y-2 rounded-xl border border-indigo-200/70 bg-indigo-50/60 p-4 dark:border-indigo-400/20 dark:bg-indigo-500/[0.07]"
    >
      <h3 id="arch-depth-heading" className="text-[13px] font-semibold text-zinc-900 dark:text-zinc-50">
        How the depth is counted
      </h3>
      {arch.depth !== null && arch.depthFormula ? (
        <p
          data-testid="arch-depth-formula"
          title={arch.depthExplanation ?? undefined}
          className="font-mono text-[20px] font-semibold tracking-tight text-indigo-700 tabular-nums dark:text-indigo-200"
        >
          {arch.depth} = {arch.depthFormula}
        </p>
      ) : (
        <p className="text-[13px] text-zinc-600 dark:text-zinc-300">
          {arch.depthExplanation ?? 'This graph does not follow the standard count.'}
        </p>
      )}
      {perBlock !== undefined && arch.depth !== null && (
        <p className="text-[12.5px] leading-relaxed text-zinc-700 dark:text-zinc-300">
          1 for the first convolution (conv1), {blocks} residual blocks × {perBlock} convolutions each, and 1 for the
          fully connected classifier. Only layers with weights count{leftText ? `: ${leftText} are left out` : ''}, as
          in the paper.
        </p>
      )}
      {counted.length > 0 && (
        <p
          data-testid="arch-depth-tally"
          className="font-mono text-[11.5px] leading-snug text-zinc-500 tabular-nums dark:text-zinc-400"
          title="The Layers column of the table, added up"
        >
          {tally}
          {'\u00a0=\u00a0'}
          {total}
        </p>
      )}
    </section>
  )
}

/** What the graph reader noticed: folded batch norms, option-A shortcuts, an assumed input size. */
export function ArchitectureNotes({ notes }: { notes: readonly string[] }) {
  if (notes.length === 0) return null
  return (
    <ul
      data-testid="arch-notes"
      className="list-disc space-y-1 pl-5 text-[12px] leading-snug text-zinc-500 dark:text-zinc-400"
    >
      {notes.map((note) => (
        <li key={note}>
          {note.charAt(0).toUpperCase() + note.slice(1)}
          {note.endsWith('.') ? '' : '.'}
        </li>
      ))}
    </ul>
  )
}
