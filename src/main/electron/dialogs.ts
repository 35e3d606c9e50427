import { BrowserWindow, dialog } from 'electron'
import type { Dialogs } from '../ipc/handlers'

async function pickOne(title: string, filters: Electron.FileFilter[]): Promise<string | null> {
  const parent = BrowserWindow.getFocusedWindow()
  const options: Electron.OpenDialogOptions = { title, properties: ['openFile'], filters }
  const result = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options)
  return result.canceled ? null : (result.filePaths[0] ?? null)
}

async function pickFolders(): Promise<string[] | null> {
  const parent = BrowserWindow.getFocusedWindow()
  const options: Electron.OpenDialogOptions = {
    title: 'Add photos to the library',
    properties: ['openDirectory', 'openFile', 'multiSelections'],
  }
  const result = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options)
  return result.canceled ? null : result.filePaths
}

async function pickExportFile(format: 'csv' | 'json'): Promise<string | null> {
  const parent = BrowserWindow.getFocusedWindow()
  const options: Electron.SaveDialogOptions = {
    title: 'Export predictions and tags',
    defaultPath: `resnet-lens-export.${format}`,
    filters: [{ name: format.toUpperCase(), extensions: [format] }],
  }
  const result = parent ? await dialog.showSaveDialog(parent, options) : await dialog.showSaveDialog(options)
  return result.canceled || !result.filePath ? null : result.filePath
}

export const electronDialogs: Dialogs = {
  pickPhotoFolders: pickFolders,
  pickExportFile,
  pickModelFile: () => pickOne('Import a model', [{ name: 'ONNX models', extensions: ['onnx'] }]),
  pickLabelsFile: () =>
    pickOne('Choose a labels file', [{ name: 'Labels (one per line, or JSON)', extensions: ['txt', 'json', 'csv'] }]),
}
