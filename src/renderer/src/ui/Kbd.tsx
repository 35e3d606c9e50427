/** A key, as shown inside a button or beside an action. `onAccent` is for the indigo primary buttons. */
export function Kbd({ children, onAccent = false }: { children: string; onAccent?: boolean }) {
  return (
    <kbd
      className={
        onAccent
          ? 'rounded border border-white/25 bg-white/15 px-1 font-sans text-[10.5px] leading-4 font-medium text-white/90'
          : 'rounded border border-zinc-300/80 bg-zinc-50 px-1 font-sans text-[10.5px] leading-4 font-medium text-zinc-500 dark:border-zinc-700 dark:bg-zinc-800 dark:text-zinc-400'
      }
    >
      {children}
    </kbd>
  )
}
