import { useRef } from 'react'
import { useClassifyShortcuts } from '../hooks'
import { useClassifyStore } from '../store'
import { PhotoDetail } from './detail/PhotoDetail'
import { DropZone } from './DropZone'
import { EmptyState } from './EmptyState'
import { ErrorBanner } from './ErrorBanner'
import { PhotoGrid } from './PhotoGrid'
import { Toolbar } from './Toolbar'

/** The Classify screen: the toolbar, the model's state, and the drop zone with the photo cards. */
export function ClassifyScreen() {
  const inputRef = useRef<HTMLInputElement>(null)
  const hasPhotos = useClassifyStore((s) => s.photos.length > 0)
  useClassifyShortcuts(inputRef)
  return (
    <div data-testid="classify-screen" className="flex min-h-0 flex-1 flex-col">
      <Toolbar inputRef={inputRef} />
      <ErrorBanner />
      <DropZone>{hasPhotos ? <PhotoGrid /> : <EmptyState />}</DropZone>
      <PhotoDetail />
    </div>
  )
}
