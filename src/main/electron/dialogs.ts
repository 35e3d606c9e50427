import { BrowserWindow, dialog } from 'electron'
import type { Dialogs } from '../ipc/handlers'
import { IMAGE_EXTENSIONS } from '../../shared/image-files'

async function pickOne(title: string, filters: Electron.FileFilter[]): Promise<string | null> {
  const parent = BrowserWindow.getFocusedWindow()
  const options: Electron.OpenDialogOptions = { title, properties: ['openFile'], filters }
  const result = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options)
  return result.canceled ? null : (result.filePaths[0] ?? null)
}

/**
 * "Add photos…": photos or folders. macOS's panel offers both at once; on Windows and Linux a dialog
 * that asks for both shows folders only (Electron's docs), so there the person first says which.
 */
async function pickFolders(): Promise<string[] | null> {
  const parent = BrowserWindow.getFocusedWindow()
  const open = async (options: Electron.OpenDialogOptions): Promise<string[] | null> => {
    const result = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options)
    return result.canceled || result.filePaths.length === 0 ? null : result.filePaths
  }
  const title = 'Add photos to the library'
  const photos: Electron.FileFilter[] = [
    { name: 'Photos', extensions: [...IMAGE_EXTENSIONS].map((extension) => extension.slice(1)) },
  ]
  if (process.platform === 'darwin')
    return open({ title, filters: photos, properties: ['openDirectory', 'openFile', 'multiSelections'] })
  const ask: Electron.MessageBoxOptions = {
    type: 'question',
    title,
    message: 'Add photos or whole folders?',
    buttons: ['Photos…', 'Folders…', 'Cancel'],
    defaultId: 0,
    cancelId: 2,
  }
  const { response } = parent ? await dialog.showMessageBox(parent, ask) : await dialog.showMessageBox(ask)
  if (response === 0) return open({ title, filters: photos, properties: ['openFile', 'multiSelections'] })
  if (response === 1) return open({ title, properties: ['openDirectory', 'multiSelections'] })
  return null
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

async function pickFolder(purpose: 'job' | 'organize-out' | 'profile'): Promise<string | null> {
  const parent = BrowserWindow.getFocusedWindow()
  const options: Electron.OpenDialogOptions =
    purpose === 'job'
      ? { title: 'Choose a folder to classify', buttonLabel: 'Classify folder', properties: ['openDirectory'] }
      : purpose === 'profile'
        ? {
            title: 'Choose photos of what the model should know',
            buttonLabel: 'Use this folder',
            properties: ['openDirectory'],
          }
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
