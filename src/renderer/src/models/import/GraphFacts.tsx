import type { ReactNode } from 'react'
import type { ImportPreview } from '../../../../shared/ipc/contract'
import { formatMacs, formatParamCount } from '../../lib/format'
import { StageTable } from '../StageTable'

function Fact({ label, children, title }: { label: string; children: ReactNode; title?: string }) {
  return (
    <div className="min-w-0">
      <dt className="text-[10.5px] font-medium tracking-wide text-zinc-500 uppercase">{label}</dt>
      <dd className="text-[12.5px] font-medium text-zinc-900 tabular-nums dark:text-zinc-100" title={title}>
        {children}
      </dd>
    </div>
  )
}

/** "N×3×224×224": the input's shape as the graph declares it (named axes stay names). */
function shapeText(shape: readonly (number | string)[]): string {
  return shape.map((d) => (typeof d === 'number' && d > 0 ? String(d) : String(d) || '?')).join('×')
}

/** What the importer read from the file: input, output, size, compute and stages. */
export function GraphFacts({ preview }: { preview: ImportPreview }) {
  const { graph, input, output } = preview
  return (
    <div className="space-y-3" data-testid="import-facts">
      <dl className="grid grid-cols-3 gap-x-4 gap-y-2">
        <Fact label="Input" title={`Input "${input.name}": ${shapeText(input.shape)}`}>
          <span data-testid="import-input">
            {input.width}×{input.height}
          </span>
          <span className="block truncate font-mono text-[10.5px] font-normal text-zinc-500">
            {shapeText(input.shape)}
          </span>
        </Fact>
        <Fact label="Classes" title={`Output "${output.name}"`}>
          <span data-testid="import-classes">{output.classes.toLocaleString('en-US')}</span>
          <span className="block truncate font-mono text-[10.5px] font-normal text-zinc-500">{output.name}</span>
        </Fact>
        <Fact label="Opset">{graph.opset}</Fact>
        <Fact label="Parameters" title={`${graph.params.toLocaleString('en-US')} weights`}>
          <span data-testid="import-params">{formatParamCount(graph.params)}</span>
        </Fact>
        <Fact label="Compute" title={`${Math.round(graph.macs).toLocaleString('en-US')} multiply-adds per image`}>
          <span data-testid="import-macs">{formatMacs(graph.macs)}</span>
        </Fact>
        <Fact label="Depth" title={graph.depthFormula}>
          {graph.depth ?? '–'}
        </Fact>
      </dl>
      {graph.stages.length > 0 ? (
        <StageTable graph={graph} caption="Stages read from the graph" />
      ) : (
        <p className="text-[11.5px] text-zinc-500">No ResNet stages were recognised in this graph.</p>
      )}
      <p className="text-[11px] leading-snug text-zinc-500 dark:text-zinc-400">
        {graph.architecture && <>{graph.architecture}. </>}
        {graph.depth !== undefined && (
          <>
            Depth {graph.depth}
            {graph.depthFormula ? ` = ${graph.depthFormula}` : ''} weighted layers.{' '}
          </>
        )}
        {graph.assumedInput && (
          <>
            The input size is dynamic: shapes are for {input.width}×{input.height}.{' '}
          </>
        )}
        <span title={graph.operators.join(', ')}>
          {graph.operators.length} operator {graph.operators.length === 1 ? 'type' : 'types'}
        </span>
        .
      </p>
    </div>
  )
}
