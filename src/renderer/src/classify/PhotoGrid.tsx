import { activeModelIdOf, useSessionStore } from '../session/session-store'
import { useClassifyStore } from './classify-store'
import { PhotoCard } from './PhotoCard'

/** The cards, in the order the photos came in. */
export function PhotoGrid() {
  const photos = useClassifyStore((s) => s.photos)
  const activeModelId = useSessionStore(activeModelIdOf)
  return (
    <ul className="grid grid-cols-[repeat(auto-fill,minmax(210px,1fr))] items-start gap-4 p-5" aria-label="Photos">
      {photos.map((photo) => (
        <li key={photo.id} className="flex min-w-0">
          <PhotoCard photo={photo} activeModelId={activeModelId} />
        </li>
      ))}
    </ul>
  )
}
