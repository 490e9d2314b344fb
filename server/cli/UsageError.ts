/** A command typed wrong (unknown flag, missing argument, bad flag value): exit code 2, one line naming what. */
export class UsageError extends Error {}
