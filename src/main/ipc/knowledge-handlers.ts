import type { DomainHandlers, knowledgeChannels } from '../../shared/ipc/contract'
import type { ProfileBuilds } from '../knowledge/profile-builds'

export interface KnowledgeHandlerDeps {
  profiles: ProfileBuilds
  /** The system's folder dialog; null when the person cancels. */
  pickFolder(): Promise<string | null>
}

/**
 * Knowledge profiles on the Models screen: the card's status, and building one from a folder the person picked
 * (kept behind a token, like a job's folder). The build runs in the background; `models:profileProgress` follows it.
 */
export function createKnowledgeHandlers(deps: KnowledgeHandlerDeps): DomainHandlers<typeof knowledgeChannels> {
  const { profiles } = deps
  return {
    'models:knowledge': ({ id }) => profiles.status(id),
    'models:pickProfileFolder': async () => {
      const path = await deps.pickFolder()
      return path === null ? null : profiles.grantFolder(path)
    },
    'models:buildProfile': async ({ id, token, labelsFromFolders }) => {
      const { total } = await profiles.start(id, token, { labelsFromFolders })
      return { total }
    },
    'models:cancelProfile': ({ id }) => ({ cancelled: profiles.cancel(id) }),
    'models:deleteProfile': ({ id }) => profiles.deleteProfile(id),
  }
}
