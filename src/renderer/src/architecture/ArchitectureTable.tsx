import { Fragment, useState, type KeyboardEvent } from 'react'
import type { Architecture, BlockDetail, StageDetail } from '../../../shared/ipc/contract'
import { formatMacs, formatParamCount, formatShape } from '../lib/format'
import { ChevronIcon } from '../ui/Icons'
import {
  blockKernels,
  shortcutReason,
  shortcutText,
  stageColour,
  stageDownsampling,
  stageFilters,
  stageNames,
  stageRole,
  stageType,
} from './stage-text'

const cell = 'px-2.5 py-2 align-top'
const num = `${cell} text-right whitespace-nowrap tabular-nums`

function Exact({ value, children }: { value: number; children: string }) {
  return <span title={Math.round(value).toLocaleString('en-US')}>{children}</span>
}

function Dash() {
  return <span className="text-zinc-300 dark:text-zinc-600">–</span>
}

/** Moves focus to the previous or next stage's toggle (arrow keys in the table). */
function moveFocus(from: HTMLElement, step: 1 | -1): void {
  const toggles = [...document.querySelectorAll<HTMLElement>('[data-testid="arch-stage-toggle"]')]
  toggles[toggles.indexOf(from) + step]?.focus()
}

function BlockRow({ block, stage }: { block: BlockDetail; stage: StageDetail }) {
  const strided = block.strideAt !== null
  const special = block.shortcut !== 'identity'
  return (
    <tr
      data-testid="arch-block-row"
      data-stage-name={stage.name}
      data-block-index={block.index}
      data-filters={block.filters.join(',')}
      data-kernels={block.kernels.join(',')}
      data-stride-at={block.strideAt ?? ''}
      data-shortcut={block.shortcut}
      data-output={formatShape(block.output)}
      className="bg-zinc-50/80 text-[12px] text-zinc-600 dark:bg-zinc-950/40 dark:text-zinc-400"
    >
      <td className={`${cell} pl-11`}>
        <span className="font-medium text-zinc-800 dark:text-zinc-200">block {block.index + 1}</span>
        <span className="ml-1.5 font-mono text-[10.5px] text-zinc-400 dark:text-zinc-500">
          {stage.name}.{block.index}
        </span>
      </td>
      <td className={`${cell} whitespace-nowrap`}>
        {block.type}
        {block.groups > 1 && <span className="text-zinc-400"> · {block.groups} groups</span>}
      </td>
      <td className={`${cell} whitespace-nowrap`}>
        <span className="font-mono text-[11.5px] text-zinc-800 dark:text-zinc-200">{block.filters.join(', ')}</span>
        <span className="block font-mono text-[10.5px] text-zinc-400 dark:text-zinc-500">
          {block.kernels.map((kernel, i) => (
            <Fragment key={i}>
              {i > 0 && ' · '}
              {i === block.strideAt ? (
                <span
                  data-testid="arch-stride"
                  className="rounded bg-amber-100 px-0.5 font-semibold text-amber-800 dark:bg-amber-500/15 dark:text-amber-300"
                  title="This convolution has stride 2: it halves the map"
                >
                  {kernel} /2
                </span>
              ) : (
                kernel
              )}
            </Fragment>
          ))}
        </span>
      </td>
      <td className={cell} title={shortcutReason(block)}>
        <span
          data-testid="arch-shortcut"
          className={
            special
              ? 'rounded-md whitespace-nowrap bg-indigo-50 px-1.5 py-0.5 text-[11px] font-medium text-indigo-700 ring-1 ring-indigo-200 dark:bg-indigo-500/15 dark:text-indigo-200 dark:ring-indigo-400/30'
              : 'text-[11.5px] text-zinc-400 dark:text-zinc-500'
          }
        >
          {shortcutText(block)}
        </span>
        {strided && <span className="sr-only"> (this block halves the map: {blockKernels(block)})</span>}
      </td>
      <td className={num}>{block.filters.length}</td>
      <td className={`${num} font-mono text-[11.5px]`}>{formatShape(block.output)}</td>
      <td className={num}>
        <Exact value={block.params}>{formatParamCount(block.params)}</Exact>
      </td>
      <td className={num}>
        <Exact value={block.macs}>{formatMacs(block.macs)}</Exact>
      </td>
    </tr>
  )
}

interface StageRowProps {
  stage: StageDetail
  previous: readonly number[] | undefined
  colour: string
  expanded: boolean
  onToggle(): void
}

function StageRow({ stage, previous, colour, expanded, onToggle }: StageRowProps) {
  const names = stageNames(stage)
  const expandable = stage.residualBlocks.length > 0
  const output = formatShape(stage.output)
  const onKeyDown = (event: KeyboardEvent<HTMLButtonElement>): void => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault()
      moveFocus(event.currentTarget, event.key === 'ArrowDown' ? 1 : -1)
    } else if (event.key === 'ArrowRight' && expandable && !expanded) {
      event.preventDefault()
      onToggle()
    } else if (event.key === 'ArrowLeft' && expanded) {
      event.preventDefault()
      onToggle()
    }
  }
  const title = (
    <>
      <span className={`h-2.5 w-2.5 shrink-0 rounded-sm ${colour}`} aria-hidden="true" />
      <span className="min-w-0">
        <span className="font-mono text-[12.5px] font-semibold text-zinc-900 dark:text-zinc-50">{names.paper}</span>
        {names.torch !== names.paper && (
          <span className="ml-1.5 font-mono text-[11px] text-zinc-400 dark:text-zinc-500">{names.torch}</span>
        )}
        <span className="mt-0.5 block text-[11.5px] leading-snug font-normal whitespace-normal text-zinc-500 dark:text-zinc-400">
          {stageRole(stage)}
        </span>
      </span>
    </>
  )
  return (
    <tr
      data-testid="arch-stage-row"
      data-stage-name={stage.name}
      data-paper-name={stage.paperName ?? ''}
      data-kind={stage.kind}
      data-output={output}
      data-expanded={expandable ? String(expanded) : undefined}
      onClick={expandable ? onToggle : undefined}
      className={`text-[12.5px] text-zinc-700 dark:text-zinc-300 ${
        expandable ? 'cursor-pointer hover:bg-indigo-50/40 dark:hover:bg-indigo-500/5' : ''
      } ${expanded ? 'bg-indigo-50/50 dark:bg-indigo-500/[0.07]' : ''}`}
    >
      <th scope="row" className={`${cell} text-left font-normal`}>
        {expandable ? (
          <button
            type="button"
            data-testid="arch-stage-toggle"
            aria-expanded={expanded}
            onKeyDown={onKeyDown}
            title={`${expanded ? 'Hide' : 'Show'} the ${stage.blocks} blocks of ${names.paper} (Enter or Space; ← →)`}
            className="-m-1 flex items-start gap-2 rounded-md p-1 text-left focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none"
          >
            <ChevronIcon
              className={`mt-0.5 h-3.5 w-3.5 shrink-0 text-zinc-400 transition-transform ${expanded ? 'rotate-90' : ''}`}
            />
            <span className="mt-[3px] flex items-start gap-2">{title}</span>
          </button>
        ) : (
          <span className="flex items-start gap-2 pl-[22px]">
            <span className="mt-[3px] flex items-start gap-2">{title}</span>
          </span>
        )}
      </th>
      <td className={`${cell} whitespace-nowrap`} data-testid="arch-blocks" data-blocks={stage.blocks}>
        {stage.blocks > 0 ? (
          <>
            <span className="font-semibold text-zinc-900 tabular-nums dark:text-zinc-100">{stage.blocks}</span> ×{' '}
            {stageType(stage)}
          </>
        ) : (
          stageType(stage)
        )}
      </td>
      <td className={`${cell} font-mono text-[11.5px] whitespace-nowrap`}>
        {stageFilters(stage)}
        {stage.residualBlocks[0] && (
          <span className="block text-[10.5px] text-zinc-400 dark:text-zinc-500">
            {stage.residualBlocks[0].kernels.join(' · ')}
          </span>
        )}
      </td>
      <td data-testid="arch-downsampling" className={`${cell} text-[11.5px] text-zinc-500 dark:text-zinc-400`}>
        {stageDownsampling(stage, previous) || <Dash />}
      </td>
      <td className={num} title="Weighted layers this stage adds to the depth">
        {stage.layers > 0 ? stage.layers : <Dash />}
      </td>
      <td className={`${num} font-mono text-[12px] font-medium text-zinc-900 dark:text-zinc-100`}>{output}</td>
      <td className={num}>
        {stage.params > 0 ? <Exact value={stage.params}>{formatParamCount(stage.params)}</Exact> : <Dash />}
      </td>
      <td className={num}>{stage.macs > 0 ? <Exact value={stage.macs}>{formatMacs(stage.macs)}</Exact> : <Dash />}</td>
    </tr>
  )
}

/**
 * The network as the paper's table has it, read from the graph: one row per stage in order (stem, max
 * pool, the residual stages, global pool, classifier) and the totals; a residual stage opens to its
 * blocks with their filters, kernels, stride and shortcut.
 */
export function ArchitectureTable({ arch }: { arch: Architecture }) {
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set())
  const toggle = (name: string): void =>
    setExpanded((current) => {
      const next = new Set(current)
      if (!next.delete(name)) next.add(name)
      return next
    })
  const expandable = arch.stages.filter((s) => s.residualBlocks.length > 0).map((s) => s.name)
  const allOpen = expandable.length > 0 && expandable.every((name) => expanded.has(name))
  const totalBlocks = arch.stages.reduce((n, s) => n + s.blocks, 0)
  const totalLayers = arch.stages.reduce((n, s) => n + s.layers, 0)
  let residualIndex = 0

  return (
    <section aria-labelledby="arch-table-heading" className="space-y-2">
      <div className="flex items-end justify-between gap-3">
        <div>
          <h3
            id="arch-table-heading"
            className="text-[14px] font-semibold tracking-tight text-zinc-900 dark:text-zinc-50"
          >
            Stages
          </h3>
          <p className="text-[12px] text-zinc-500 dark:text-zinc-400">
            In the order the photo flows through them. Open a residual stage to see its blocks.
          </p>
        </div>
        <button
          type="button"
          data-testid="arch-expand-all"
          onClick={() => setExpanded(allOpen ? new Set() : new Set(expandable))}
          className="rounded-md px-2 py-1 text-[12px] font-medium text-indigo-600 hover:bg-indigo-50 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none dark:text-indigo-300 dark:hover:bg-indigo-500/10"
        >
          {allOpen ? 'Collapse all' : 'Expand all'}
        </button>
      </div>
      <div className="overflow-x-auto rounded-xl border border-zinc-200 bg-white shadow-[0_1px_2px_rgba(0,0,0,0.04)] dark:border-zinc-800 dark:bg-zinc-900">
        <table data-testid="arch-table" className="w-full min-w-[52rem] border-collapse">
          <caption className="sr-only">Stages of {arch.name}</caption>
          <thead className="border-b border-zinc-200 bg-zinc-50 text-[10.5px] tracking-wide text-zinc-500 uppercase dark:border-zinc-800 dark:bg-zinc-800/40 dark:text-zinc-400">
            <tr>
              <th scope="col" className="min-w-[14rem] px-2.5 py-2 text-left font-semibold">
                Stage <span className="font-normal normal-case">(paper · torchvision)</span>
              </th>
              <th
                scope="col"
                className="w-px px-2.5 py-2 text-left font-semibold"
                title="How many blocks, and of which kind"
              >
                Blocks
              </th>
              <th
                scope="col"
                className="w-px px-2.5 py-2 text-left font-semibold"
                title="Filters of each convolution of a block"
              >
                Filters
              </th>
              <th scope="col" className="w-[12rem] px-2.5 py-2 text-left font-semibold">
                Stride · shortcut
              </th>
              <th
                scope="col"
                className="w-px px-2.5 py-2 text-right font-semibold whitespace-nowrap"
                title="Weighted layers counted for the depth"
              >
                Layers
              </th>
              <th
                scope="col"
                className="w-px px-2.5 py-2 text-right font-semibold whitespace-nowrap"
                title="Channels × height × width"
              >
                Output
              </th>
              <th scope="col" className="w-px px-2.5 py-2 text-right font-semibold whitespace-nowrap">
                Params
              </th>
              <th
                scope="col"
                className="w-px px-2.5 py-2 text-right font-semibold whitespace-nowrap"
                title="Multiply-adds for one image"
              >
                MACs
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800/80">
            <tr data-testid="arch-input-row" className="text-[12.5px] text-zinc-500 dark:text-zinc-400">
              <th scope="row" className={`${cell} pl-[34px] text-left font-normal`}>
                <span className="font-mono text-[12.5px] font-semibold text-zinc-700 dark:text-zinc-300">input</span>
                <span className="mt-0.5 block text-[11.5px]">
                  The photo, resized and normalised: 3 colour channels.
                </span>
              </th>
              <td className={cell} colSpan={4} />
              <td className={`${num} font-mono text-[12px]`}>
                3×{arch.input.height}×{arch.input.width}
              </td>
              <td className={num} colSpan={2} />
            </tr>
            {arch.stages.map((stage, i) => {
              const previous = i === 0 ? [3, arch.input.height, arch.input.width] : arch.stages[i - 1]?.output
              const colour = stageColour(stage, stage.kind === 'residual' ? residualIndex++ : 0)
              const open = expanded.has(stage.name)
              return (
                <Fragment key={stage.name}>
                  <StageRow
                    stage={stage}
                    previous={previous}
                    colour={colour}
                    expanded={open}
                    onToggle={() => toggle(stage.name)}
                  />
                  {open &&
                    stage.residualBlocks.map((block) => <BlockRow key={block.index} block={block} stage={stage} />)}
                </Fragment>
              )
            })}
          </tbody>
          <tfoot className="border-t-2 border-zinc-200 bg-zinc-50/80 text-[12.5px] font-semibold text-zinc-900 dark:border-zinc-700 dark:bg-zinc-800/40 dark:text-zinc-100">
            <tr data-testid="arch-total-row">
              <th scope="row" className={`${cell} pl-[34px] text-left`}>
                Total
              </th>
              <td className={`${cell} whitespace-nowrap`}>{totalBlocks > 0 ? `${totalBlocks} blocks` : ''}</td>
              <td className={cell} colSpan={2} />
              <td className={num} title="The depth: weighted layers">
                {totalLayers}
              </td>
              <td className={num} />
              <td className={num}>
                <Exact value={arch.params}>{formatParamCount(arch.params)}</Exact>
              </td>
              <td className={num}>
                <Exact value={arch.macs}>{formatMacs(arch.macs)}</Exact>
              </td>
            </tr>
          </tfoot>
        </table>
      </div>
    </section>
  )
}
