import type { GraphSummary } from '../../../shared/model-card'
import { formatMacs, formatParamCount, formatShape } from '../lib/format'

const KIND_NAMES: Record<GraphSummary['stages'][number]['kind'], string> = {
  stem: 'Stem: the first convolution',
  pool: 'Max pooling',
  residual: 'Residual stage',
  'global-pool': 'Global average pooling',
  classifier: 'Fully connected classifier',
}

/**
 * The network as the paper's table has it: one row per stage with its blocks, output shape (C×H×W,
 * without the batch axis), parameters and multiply-adds; the totals last.
 */
export function StageTable({ graph, caption }: { graph: GraphSummary; caption?: string }) {
  return (
    <div className="overflow-hidden rounded-lg border border-zinc-200/80 dark:border-zinc-800">
      <table data-testid="stage-table" className="w-full text-[11.5px] tabular-nums">
        {caption && <caption className="sr-only">{caption}</caption>}
        <thead className="bg-zinc-50 text-[10.5px] tracking-wide text-zinc-500 uppercase dark:bg-zinc-800/50 dark:text-zinc-400">
          <tr>
            <th scope="col" className="px-2 py-1 text-left font-semibold">
              Stage
            </th>
            <th scope="col" className="px-2 py-1 text-right font-semibold">
              Blocks
            </th>
            <th scope="col" className="px-2 py-1 text-right font-semibold" title="Channels × height × width">
              Output
            </th>
            <th scope="col" className="px-2 py-1 text-right font-semibold">
              Params
            </th>
            <th scope="col" className="px-2 py-1 text-right font-semibold" title="Multiply-adds for one image">
              MACs
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800/80">
          {graph.stages.map((stage) => {
            const output = formatShape(stage.output)
            return (
              <tr
                key={stage.name}
                data-testid="stage-row"
                data-stage-name={stage.name}
                data-output={output}
                className="text-zinc-700 dark:text-zinc-300"
              >
                <th scope="row" className="px-2 py-1 text-left font-medium" title={KIND_NAMES[stage.kind]}>
                  <span className="font-mono text-[11px] text-zinc-900 dark:text-zinc-100">
                    {stage.paperName ?? stage.name}
                  </span>
                  {stage.paperName !== undefined && stage.paperName !== stage.name && (
                    <span className="ml-1.5 font-mono text-[10.5px] font-normal text-zinc-400 dark:text-zinc-500">
                      {stage.name}
                    </span>
                  )}
                </th>
                <td className="px-2 py-1 text-right">{stage.blocks > 0 ? stage.blocks : '–'}</td>
                <td className="px-2 py-1 text-right font-mono text-[11px]">{output}</td>
                <td className="px-2 py-1 text-right" title={stage.params.toLocaleString('en-US')}>
                  {stage.params > 0 ? formatParamCount(stage.params) : '–'}
                </td>
                <td className="px-2 py-1 text-right" title={Math.round(stage.macs).toLocaleString('en-US')}>
                  {stage.macs > 0 ? formatMacs(stage.macs) : '–'}
                </td>
              </tr>
            )
          })}
        </tbody>
        <tfoot className="border-t border-zinc-200 bg-zinc-50/70 font-medium text-zinc-800 dark:border-zinc-700 dark:bg-zinc-800/40 dark:text-zinc-200">
          <tr>
            <th scope="row" className="px-2 py-1 text-left">
              Total
            </th>
            <td className="px-2 py-1 text-right">{graph.stages.reduce((n, s) => n + s.blocks, 0) || '–'}</td>
            <td className="px-2 py-1" />
            <td className="px-2 py-1 text-right" title={graph.params.toLocaleString('en-US')}>
              {formatParamCount(graph.params)}
            </td>
            <td className="px-2 py-1 text-right" title={Math.round(graph.macs).toLocaleString('en-US')}>
              {formatMacs(graph.macs)}
            </td>
          </tr>
        </tfoot>
      </table>
    </div>
  )
}
