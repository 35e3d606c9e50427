import { parseArgs, type ParseArgsConfig } from 'node:util'

/** A mistake on the command line: reported with the usage text and exit status 2. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>
type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: O }>>

/** node:util's parseArgs with positionals allowed, its errors turned into UsageErrors. */
export function parseCommandLine<O extends Options>(argv: readonly string[], options: O): Parsed<O> {
  try {
    return parseArgs({ args: [...argv], allowPositionals: true, options })
  } catch (error) {
    // parseArgs' messages are already readable ("Unknown option '--foo'..."); drop its hints about "--".
    throw new UsageError((error as Error).message.split('. To specify a positional')[0]!)
  }
}
