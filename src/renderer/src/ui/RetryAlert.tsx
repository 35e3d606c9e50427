import { Alert } from './Alert'
import { secondaryButton } from './buttons'

/** A failure shown in place of what could not be loaded, with its reason and a Try again button. */
export function RetryAlert({
  onRetry,
  ...alert
}: {
  testId: string
  title: string
  message: string
  onRetry(): void
  className?: string
}) {
  return (
    <Alert {...alert}>
      <button type="button" onClick={onRetry} className={secondaryButton}>
        Try again
      </button>
    </Alert>
  )
}
