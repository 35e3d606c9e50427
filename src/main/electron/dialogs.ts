import { BrowserWindow, dialog } from 'electron'
import type { Dialogs } from '../ipc/handlers'

async function pickOne(title: string, filters: Electron.FileFilter[]): Promise<string | null> {
  const parent = BrowserWindow.getFocusedWindow()
  const options: Electron.OpenDialogOptions = { title, properties: ['openFile'], filters }
  const result = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options)
  return result.canceled ? null : (result.filePaths[0] ?? null)
}

export const electronDialogs: Dialogs = {
  pickModelFile: () => pickOne('Import a model', [{ name: 'ONNX models', extensions: ['onnx'] }]),
  pickLabelsFile: () =>
    pickOne('Choose a labels file', [{ name: 'Labels (one per line, or JSON)', extensions: ['txt', 'json', 'csv'] }]),
}
