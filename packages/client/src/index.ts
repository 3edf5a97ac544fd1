/** Placeholder until the package lands. */
export const VERSION = "0.1.0";
