/** Something read over IPC: still loading, there, or why it could not be read. */
export type Loadable<T> = { status: 'loading' } | { status: 'ready'; data: T } | { status: 'error'; message: string }
