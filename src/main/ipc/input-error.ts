/** A request the main process refuses as it stands: no such channel, input its schema rejects, a file of the wrong type. */
export class IpcInputError extends Error {
  override name = 'IpcInputError'
}
