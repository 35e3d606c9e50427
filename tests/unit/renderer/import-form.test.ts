import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  checkImportForm,
  importFormReducer,
  initialImportForm,
  type ImportForm,
  type ImportFormAction,
} from '../../../src/renderer/src/models/import/import-form'
import type { ImportPreview } from '../../../src/shared/ipc/contract'
import { createTestServices, type TestServices } from '../../support/services'
import { sharedPath } from '../../support/shared'

/** The import dialog's form over the preview the real importer gives for PyTorch's ResNet-20 (CIFAR-10). */
describe('the import form', () => {
  let services: TestServices
  let preview: ImportPreview

  const apply = (...actions: ImportFormAction[]): ImportForm =>
    actions.reduce(importFormReducer, initialImportForm(preview))

  beforeAll(async () => {
    services = await createTestServices()
    const path = sharedPath('models', 'reference', 'resnet20-cifar10-ref.onnx')
    const picked = await services.handlers['models:grantDropped']({ path })
    preview = await services.handlers['models:inspect']({ token: picked.token })
  })
  afterAll(() => services.dispose())

  it('opens with what the importer suggests, ready to import', () => {
    const form = initialImportForm(preview)
    expect(form).toMatchObject({ labels: { kind: 'builtin', id: 'cifar10' }, labelsFile: null, pickingLabels: false })
    const { problem, request } = checkImportForm(form, preview)
    expect(problem).toBeUndefined()
    expect(request).toMatchObject({
      token: preview.token,
      name: preview.suggestedName,
      labels: { kind: 'builtin', id: 'cifar10' },
      preprocessing: { resize: preview.preprocessing.resize, interpolation: 'bilinear' },
    })
  })

  it('says what is wrong, field by field, and sends nothing until it is right', () => {
    const unnamed = checkImportForm(apply({ type: 'name', name: '  ' }), preview)
    expect(unnamed.problem).toBe('Give the model a name.')
    expect(unnamed.request).toBeUndefined()
    const fileOfThree = { source: 'three.txt', labels: ['a', 'b', 'c'] }
    const mismatch = checkImportForm(apply({ type: 'labels-picked', file: fileOfThree }), preview)
    expect(mismatch).toMatchObject({ fileMismatch: true, problem: 'The labels do not fit the model.' })
    expect(checkImportForm(apply({ type: 'labels', labels: { kind: 'file' } }), preview).problem).toBe(
      'Choose a labels file with 10 labels.',
    )
    expect(checkImportForm(apply({ type: 'channel', field: 'std', index: 1, value: '0' }), preview).problem).toBe(
      'Each standard deviation must be a number above 0.',
    )
    const side = apply({ type: 'resize', resize: 'shorter-side' }, { type: 'shorter-side', value: '20' })
    expect(checkImportForm(side, preview).sideProblem).toBe(
      'The shorter side must be a whole number of at least 32 px.',
    )
  })

  it('takes a picked labels file, numbered labels and edited preprocessing into the request', () => {
    const tenLabels = { source: 'cifar.txt', labels: Array.from({ length: 10 }, (_, i) => `thing ${i}`) }
    const picking = apply({ type: 'labels-picking' })
    expect(picking.pickingLabels).toBe(true)
    const picked = importFormReducer(picking, { type: 'labels-picked', file: tenLabels })
    expect(picked).toMatchObject({ pickingLabels: false, labels: { kind: 'file' } })
    expect(checkImportForm(picked, preview).request?.labels).toEqual({ kind: 'list', ...tenLabels })
    // A cancelled dialog keeps the choice as it was.
    expect(importFormReducer(picking, { type: 'labels-picked', file: null }).labels).toEqual(picking.labels)

    const edited = apply(
      { type: 'labels', labels: { kind: 'numbered' } },
      { type: 'resize', resize: 'shorter-side' },
      { type: 'shorter-side', value: '36' },
      { type: 'channel', field: 'mean', index: 0, value: '0.5' },
      { type: 'color-order', colorOrder: 'BGR' },
    )
    const { request } = checkImportForm(edited, preview)
    expect(request?.labels).toMatchObject({ kind: 'list', source: 'numbered' })
    expect(request?.labels.kind === 'list' && request.labels.labels.slice(0, 2)).toEqual(['class 0', 'class 1'])
    expect(request?.preprocessing).toMatchObject({ resize: 'shorter-side', shorterSide: 36, colorOrder: 'BGR' })
    expect(request?.preprocessing.mean[0]).toBe(0.5)
  })
})
