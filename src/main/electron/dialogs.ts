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

async function pickFolder(purpose: 'job' | 'organize-out'): Promise<string | null> {
  const parent = BrowserWindow.getFocusedWindow()
  const options: Electron.OpenDialogOptions =
    purpose === 'job'
      ? { title: 'Choose a folder to classify', buttonLabel: 'Classify folder', properties: ['openDirectory'] }
      : {
          title: 'Choose where the organized photos go',
          buttonLabel: 'Choose output folder',
          properties: ['openDirectory', 'createDirectory'],
        }
  const result = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options)
  return result.canceled ? null : (result.filePaths[0] ?? null)
}

export const electronDialogs: Dialogs = {
  pickPhotoFolders: pickFolders,
  pickFolder,
  pickExportFile,
  pickModelFile: () => pickOne('Import a model', [{ name: 'ONNX models', extensions: ['onnx'] }]),
  pickLabelsFile: () =>
    pickOne('Choose a labels file', [{ name: 'Labels (one per line, or JSON)', extensions: ['txt', 'json', 'csv'] }]),
}
