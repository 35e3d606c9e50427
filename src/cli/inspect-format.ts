import type { GraphReport, Stage } from '../main/onnx'

const count = (n: number): string => n.toLocaleString('en-US')

/** "4.089 G", "118.0 M", "0.6 K", "0". */
export function formatMacs(macs: number): string {
  if (macs >= 1e9) return `${(macs / 1e9).toFixed(3)} G`
  if (macs >= 1e6) return `${(macs / 1e6).toFixed(1)} M`
  if (macs >= 1e3) return `${(macs / 1e3).toFixed(1)} K`
  return String(macs)
}

const shape = (dims: readonly number[]): string => (dims.length > 0 ? dims.join('×') : '?')

function blocksCell(stage: Stage): string {
  if (stage.kind !== 'residual') return '-'
  const groups = stage.residualBlocks[0]?.groups ?? 1
  const type = stage.blockType ?? 'other'
  return `${stage.blocks} × ${type}${groups > 1 ? ` (${groups} groups)` : ''}`
}

function table(rows: readonly string[][], rightAligned: readonly number[]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)))
  return rows.map((r) =>
    r
      .map((cell, c) => (rightAligned.includes(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd(),
  )
}

function blockLines(report: GraphReport): string[] {
  const rows = [['block', 'type', 'filters', 'kernels', 'stride', 'shortcut', 'output', 'params', 'MACs']]
  for (const stage of report.stages) {
    for (const b of stage.residualBlocks) {
      const stride = b.strideAt === null ? '-' : `/2 at ${b.kernels[b.strideAt]} (conv ${b.strideAt + 1})`
      rows.push([
        `${stage.name}.${b.index}`,
        b.type + (b.groups > 1 ? ` g${b.groups}` : ''),
        b.filters.join(','),
        b.kernels.join(','),
        stride,
        b.shortcut,
        shape(b.output),
        count(b.params),
        formatMacs(b.macs),
      ])
    }
  }
  return rows.length > 1 ? ['', ...table(rows, [7, 8])] : []
}

/** The report as a readable table with totals, the depth explanation and notes. */
export function formatReport(file: string, report: GraphReport, withBlocks: boolean): string {
  const input = report.input
  const size = report.assumedInput
    ? ` (dynamic; computed for ${report.analysedSize.width}×${report.analysedSize.height})`
    : ''
  const lines = [
    `${file}: ${report.architecture}`,
    `  opset ${report.opset}, IR ${report.irVersion}${report.producer ? `, ${report.producer}` : ''}`,
    `  input   "${input.name}" [${input.shape.join(', ')}] ${input.layout}${size}`,
    `  output  "${report.output.name}" [${report.output.shape.join(', ')}]: ${report.classes} classes`,
    '',
  ]
  const rows = [['stage', 'paper', 'blocks', 'output', 'params', 'MACs']]
  for (const s of report.stages) {
    rows.push([s.name, s.paperName ?? '-', blocksCell(s), shape(s.output), count(s.params), formatMacs(s.macs)])
  }
  rows.push(['total', '', '', '', count(report.params), formatMacs(report.macs)])
  lines.push(...table(rows, [4, 5]))
  if (withBlocks) lines.push(...blockLines(report))
  lines.push('')
  if (report.depthExplanation) lines.push(report.depthExplanation)
  lines.push(`operators: ${report.operators.join(', ')} (all run by onnxruntime-web)`)
  for (const note of report.notes) lines.push(`note: ${note}`)
  return `${lines.join('\n')}\n`
}
