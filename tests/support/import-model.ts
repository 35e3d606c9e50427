import { expect } from 'vitest'
import type { ModelSummary } from '../../src/shared/ipc/contract'
import type { AppSession } from './app-session'
import { sharedPath } from './shared'

/** PyTorch's ResNet-20 for CIFAR-10 (its predictions are the `resnet20_ref` column of the reference CSV). */
export const RESNET20 = (): string => sharedPath('models', 'reference', 'resnet20-cifar10-ref.onnx')

/**
 * Imports a CIFAR-10 model file the way a person does: Ctrl+I, the file from the (test's) dialog, a
 * name, the built-in CIFAR-10 labels and preprocessing; returns the library's entry for it.
 */
export async function importCifarModel(app: AppSession, file: string, name: string): Promise<ModelSummary> {
  const { page, services } = app
  services.dialogAnswers.model.push(file)
  await page.keyboard.press('Control+i')
  const dialog = page.getByTestId('import-dialog')
  await dialog.waitFor()
  await expect.poll(() => dialog.getByTestId('import-classes').textContent()).toContain('10')
  await dialog.getByTestId('import-name').fill(name)
  await dialog.getByTestId('labels-builtin-cifar10').check()
  await dialog.getByTestId('preset-cifar').check()
  await dialog.getByTestId('import-confirm').click()
  await dialog.waitFor({ state: 'detached' })
  const imported = services.library.list().find((m) => m.name === name)
  if (!imported) throw new Error(`"${name}" is not in the library after the import`)
  return imported
}
