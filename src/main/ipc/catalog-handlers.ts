import type { catalogChannels, DomainHandlers } from '../../shared/ipc/contract'
import type { CatalogDownloads } from '../models/catalog-downloads'

/** The model catalog: its entries with their state, and downloads (their progress is `catalog:progress`). */
export function createCatalogHandlers(catalog: CatalogDownloads): DomainHandlers<typeof catalogChannels> {
  return {
    'catalog:list': () => catalog.list(),
    'catalog:download': ({ id }) => ({ started: catalog.start(id) }),
    'catalog:cancel': ({ id }) => ({ cancelled: catalog.cancel(id) }),
  }
}
