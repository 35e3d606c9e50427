/** The clock services take as a dependency (tests pass a fixed one). */
export const systemClock: () => Date = () => new Date()
