/** Button looks shared by the screens (the same focus ring, sizes and dark variants everywhere). */

const base =
  'inline-flex items-center justify-center gap-1.5 rounded-md text-[12.5px] font-medium whitespace-nowrap focus-visible:ring-2 focus-visible:outline-none disabled:pointer-events-none disabled:opacity-45'

export const primaryButton = `${base} bg-indigo-600 px-2.5 py-1.5 text-white shadow-sm hover:bg-indigo-500 active:bg-indigo-700 focus-visible:ring-indigo-500 focus-visible:ring-offset-2 dark:ring-offset-zinc-950`

export const secondaryButton = `${base} border border-zinc-200 bg-white px-2.5 py-1.5 text-zinc-700 shadow-[0_1px_1px_rgba(0,0,0,0.03)] hover:border-zinc-300 hover:bg-zinc-50 focus-visible:ring-indigo-500 dark:border-zinc-700 dark:bg-zinc-800/70 dark:text-zinc-200 dark:hover:border-zinc-600 dark:hover:bg-zinc-800`

export const ghostButton = `${base} px-2 py-1.5 text-zinc-600 hover:bg-zinc-100 focus-visible:ring-indigo-500 dark:text-zinc-300 dark:hover:bg-zinc-800`

export const dangerButton = `${base} bg-rose-600 px-2.5 py-1.5 text-white shadow-sm hover:bg-rose-500 active:bg-rose-700 focus-visible:ring-rose-500 focus-visible:ring-offset-2 dark:ring-offset-zinc-950`

export const dangerGhostButton = `${base} px-2 py-1.5 text-rose-600 hover:bg-rose-50 focus-visible:ring-rose-500 dark:text-rose-400 dark:hover:bg-rose-950/40`

export const inputField =
  'w-full rounded-md border border-zinc-200 bg-white px-2.5 py-1.5 text-[13px] text-zinc-900 shadow-[0_1px_1px_rgba(0,0,0,0.03)] placeholder:text-zinc-400 hover:border-zinc-300 focus-visible:border-indigo-500 focus-visible:ring-2 focus-visible:ring-indigo-500/30 focus-visible:outline-none aria-[invalid=true]:border-rose-400 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 dark:hover:border-zinc-600 dark:aria-[invalid=true]:border-rose-500'

/** A small square button holding only an icon (a viewer's previous, next and close). */
export const iconButton =
  'rounded-md p-1.5 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-900 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none disabled:pointer-events-none disabled:opacity-35 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100'
