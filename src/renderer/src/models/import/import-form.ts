/**
 * The import form's state (name, labels, preprocessing) as a reducer over what the person types and
 * picks, prefilled with what the importer suggests, and its validation: what is wrong, field by field,
 * and the import request once nothing is. Pure: no React, no IPC.
 */
import {
  BUILTIN_LABEL_LISTS,
  type ImportPreview,
  type ImportRequest,
  type LabelsChoice,
  type PickedLabels,
} from '../../../../shared/ipc/contract'
import type { Preprocessing } from '../../../../shared/model-card'
import { BUILTIN_LABEL_COUNTS } from '../card-text'

export type BuiltinLabels = (typeof BUILTIN_LABEL_LISTS)[number]
export type LabelsMode = { kind: 'builtin'; id: BuiltinLabels } | { kind: 'file' } | { kind: 'numbered' }
/** Three numbers as typed, one per colour channel. */
export type Triple = [string, string, string]

export interface ImportForm {
  name: string
  labels: LabelsMode
  /** The labels file picked, once one is. */
  labelsFile: PickedLabels | null
  labelsError?: string
  pickingLabels: boolean
  resize: Preprocessing['resize']
  shorterSide: string
  mean: Triple
  std: Triple
  colorOrder: Preprocessing['colorOrder']
}

export type ImportFormAction =
  | { type: 'name'; name: string }
  | { type: 'labels'; labels: LabelsMode }
  | { type: 'labels-picking' }
  /** The labels file dialog answered: the file, or null when the person cancelled. */
  | { type: 'labels-picked'; file: PickedLabels | null }
  | { type: 'labels-failed'; message: string }
  | { type: 'resize'; resize: Preprocessing['resize'] }
  | { type: 'shorter-side'; value: string }
  | { type: 'channel'; field: 'mean' | 'std'; index: number; value: string }
  | { type: 'color-order'; colorOrder: Preprocessing['colorOrder'] }

export function fitsBuiltin(id: BuiltinLabels, classes: number): boolean {
  return BUILTIN_LABEL_COUNTS[id] === classes
}

function initialLabels(preview: ImportPreview): LabelsMode {
  if (preview.suggestedLabels) return { kind: 'builtin', id: preview.suggestedLabels }
  const fit = BUILTIN_LABEL_LISTS.find((id) => fitsBuiltin(id, preview.output.classes))
  return fit ? { kind: 'builtin', id: fit } : { kind: 'file' }
}

export const numberText = (n: number): string => String(Number(n.toFixed(6)))
const toTriple = (values: readonly [number, number, number]): Triple => [
  numberText(values[0]),
  numberText(values[1]),
  numberText(values[2]),
]

export function parseTriple(values: Triple, positive: boolean): [number, number, number] | undefined {
  const parsed = values.map((v) => (v.trim() === '' ? NaN : Number(v)))
  if (parsed.some((n) => !Number.isFinite(n) || (positive && n <= 0))) return undefined
  return parsed as [number, number, number]
}

/** The default shorter side for a preset switched to ImageNet: 256 for 224 (the usual 0.875 crop). */
function defaultShorterSide(preview: ImportPreview): number {
  const side = Math.max(preview.input.height, preview.input.width)
  return preview.preprocessing.shorterSide ?? Math.max(side, Math.round((side * 256) / 224))
}

/** The form as it opens: what the importer suggests. */
export function initialImportForm(preview: ImportPreview): ImportForm {
  return {
    name: preview.suggestedName,
    labels: initialLabels(preview),
    labelsFile: null,
    pickingLabels: false,
    resize: preview.preprocessing.resize,
    shorterSide: String(defaultShorterSide(preview)),
    mean: toTriple(preview.preprocessing.mean),
    std: toTriple(preview.preprocessing.std),
    colorOrder: preview.preprocessing.colorOrder,
  }
}

export function importFormReducer(form: ImportForm, action: ImportFormAction): ImportForm {
  switch (action.type) {
    case 'name':
      return { ...form, name: action.name }
    case 'labels':
      return { ...form, labels: action.labels }
    case 'labels-picking':
      return { ...form, pickingLabels: true, labelsError: undefined }
    case 'labels-picked':
      return action.file
        ? { ...form, pickingLabels: false, labelsFile: action.file, labels: { kind: 'file' } }
        : { ...form, pickingLabels: false }
    case 'labels-failed':
      return { ...form, pickingLabels: false, labelsError: action.message }
    case 'resize':
      return { ...form, resize: action.resize }
    case 'shorter-side':
      return { ...form, shorterSide: action.value }
    case 'channel': {
      const next: Triple = [...form[action.field]]
      next[action.index] = action.value
      return { ...form, [action.field]: next }
    }
    case 'color-order':
      return { ...form, colorOrder: action.colorOrder }
  }
}

/** What is wrong with the form, field by field, and the request to send once nothing is. */
export interface ImportFormCheck {
  nameProblem?: string
  /** The labels file picked has another number of labels than the model has classes. */
  fileMismatch: boolean
  labelsProblem?: string
  sideProblem?: string
  preprocessingProblem?: string
  /** The first problem, for the footer; undefined when the form can be sent. */
  problem?: string
  request?: ImportRequest
}

function labelsChoiceOf(form: ImportForm, classes: number, fileMismatch: boolean): LabelsChoice | undefined {
  const { labels, labelsFile } = form
  if (labels.kind === 'builtin' && fitsBuiltin(labels.id, classes)) return { kind: 'builtin', id: labels.id }
  if (labels.kind === 'file' && labelsFile && !fileMismatch) {
    return { kind: 'list', source: labelsFile.source.slice(0, 300), labels: labelsFile.labels }
  }
  if (labels.kind === 'numbered') {
    return { kind: 'list', source: 'numbered', labels: Array.from({ length: classes }, (_, i) => `class ${i}`) }
  }
  return undefined
}

export function checkImportForm(form: ImportForm, preview: ImportPreview): ImportFormCheck {
  const classes = preview.output.classes
  const trimmed = form.name.trim()
  const nameProblem = trimmed === '' ? 'Give the model a name.' : undefined
  const fileMismatch = form.labelsFile !== null && form.labelsFile.labels.length !== classes
  const labelsChoice = labelsChoiceOf(form, classes, fileMismatch)
  const labelsProblem = labelsChoice
    ? undefined
    : form.labels.kind === 'file' && !form.labelsFile
      ? `Choose a labels file with ${classes.toLocaleString('en-US')} labels.`
      : 'The labels do not fit the model.'
  const meanValues = parseTriple(form.mean, false)
  const stdValues = parseTriple(form.std, true)
  const minSide = Math.max(preview.input.height, preview.input.width)
  const side = Number(form.shorterSide)
  const sideProblem =
    form.resize === 'shorter-side' && (!Number.isInteger(side) || side < minSide)
      ? `The shorter side must be a whole number of at least ${minSide} px.`
      : undefined
  const preprocessingProblem = !meanValues
    ? 'Each mean must be a number.'
    : !stdValues
      ? 'Each standard deviation must be a number above 0.'
      : sideProblem
  const problem = nameProblem ?? labelsProblem ?? preprocessingProblem
  const check: ImportFormCheck = {
    nameProblem,
    fileMismatch,
    labelsProblem,
    sideProblem,
    preprocessingProblem,
    problem,
  }
  if (problem || !labelsChoice || !meanValues || !stdValues) return check
  const request: ImportRequest = {
    token: preview.token,
    name: trimmed,
    labels: labelsChoice,
    preprocessing: {
      resize: form.resize,
      ...(form.resize === 'shorter-side' && { shorterSide: side }),
      interpolation: 'bilinear',
      colorOrder: form.colorOrder,
      scale: preview.preprocessing.scale,
      mean: meanValues,
      std: stdValues,
    },
  }
  return { ...check, request }
}
