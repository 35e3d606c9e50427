/** Organize: plan (source → `<out>/<class>/<file>`), execute with a journal, resume, roll back, undo. */
export {
  assignFolderNames,
  isInside,
  isReserved,
  MAX_FOLDER_BYTES,
  RESERVED_FOLDERS,
  safeFolderName,
  truncateUtf8,
  UNCERTAIN_FOLDER,
  UNKNOWN_FOLDER,
  UNNAMED_FOLDER,
  withSuffix,
} from './safe-name'
export {
  buildPlan,
  type OrganizeMode,
  type OrganizeKind,
  type OrganizePlan,
  type PlanGroup,
  type PlanOptions,
  type PlanSkip,
  type PlanStep,
} from './plan'
export {
  getOrganizeRun,
  listOrganizeRuns,
  organizeSteps,
  type OrganizeRun,
  type OrganizeRunState,
  type OrganizeStep,
  type StepState,
} from './journal'
export {
  executeOrganize,
  interruptedOrganizeRuns,
  resumeOrganize,
  rollbackOrganize,
  undoOrganize,
  type OrganizeAction,
  type OrganizeDeps,
  type OrganizePoint,
  type OrganizeProgress,
  type OrganizeReport,
  type StepProblem,
} from './execute'
