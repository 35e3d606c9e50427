import { useEffect, useRef, useState } from 'react'
import { inputField } from '../ui/buttons'
import { handleEditKeys } from '../ui/keyboard'
import { cancelRename, renameModel } from './models-actions'

interface Props {
  modelId: string
  name: string
  /** Where focus goes when editing ends. */
  onDone(): void
}

/** The card's name as a text field: Enter saves, Esc cancels, leaving the field saves a changed name. */
export function RenameField({ modelId, name, onDone }: Props) {
  const [value, setValue] = useState(name)
  const ref = useRef<HTMLInputElement>(null)
  const settled = useRef(false)
  const empty = value.trim() === ''

  useEffect(() => {
    ref.current?.focus()
    ref.current?.select()
  }, [])

  const finish = (): void => {
    settled.current = true
    onDone()
  }
  const cancel = (): void => {
    cancelRename()
    finish()
  }
  const save = async (): Promise<void> => {
    if (settled.current) return
    if (empty) return
    settled.current = true
    if (await renameModel(modelId, value)) onDone()
    else settled.current = false
  }

  return (
    <input
      ref={ref}
      data-testid="rename-input"
      aria-label="Model name"
      aria-invalid={empty}
      maxLength={120}
      value={value}
      onChange={(event) => setValue(event.currentTarget.value)}
      onKeyDown={(event) => handleEditKeys(event, { save: () => void save(), cancel })}
      onBlur={() => {
        if (settled.current) return
        if (empty || value.trim() === name) cancel()
        else void save()
      }}
      title="Enter saves, Esc cancels"
      className={`${inputField} py-1 text-[14px] font-semibold`}
    />
  )
}
