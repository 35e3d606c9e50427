import { useRef } from 'react'
import { PhotoDetail } from '../detail/PhotoDetail'
import { useClassifyShortcuts } from './classify-shortcuts'
import { useClassifyStore } from './classify-store'
import { DropZone } from './DropZone'
import { EmptyState } from './EmptyState'
import { ModelErrorBanner } from './ModelErrorBanner'
import { PhotoGrid } from './PhotoGrid'
import { Toolbar } from './Toolbar'

/** The detail of a card, stepping through the screen's photos. */
function CardDetail() {
  const photos = useClassifyStore((s) => s.photos)
  return <PhotoDetail photos={photos} />
}

/** The Classify screen: the toolbar, the model's state, and the drop zone with the photo cards. */
export function ClassifyScreen() {
  const inputRef = useRef<HTMLInputElement>(null)
  const hasPhotos = useClassifyStore((s) => s.photos.length > 0)
  useClassifyShortcuts(inputRef)
  return (
    <div data-testid="classify-screen" className="flex min-h-0 flex-1 flex-col">
      <Toolbar inputRef={inputRef} />
      <ModelErrorBanner />
      <DropZone>{hasPhotos ? <PhotoGrid /> : <EmptyState />}</DropZone>
      <CardDetail />
    </div>
  )
}
