/**
 * Renamed flags, kept working for one minor version after the rename with a warning that names the new
 * spelling (README, Stability). A row leaves this table, and its old spelling stops working, in the version
 * after `removedIn` is reached; the test in test/cli/deprecated-flags.test.ts runs every row.
 */
export interface DeprecatedFlag {
  /** The old spelling as typed, value included when only some values moved. */
  readonly old: string;
  /** What to write instead. */
  readonly replacement: string;
  /** The version that renamed it, and the first that no longer accepts it. */
  readonly since: string;
  readonly removedIn: string;
  /** Why the old spelling is ambiguous or misleading, when it is. */
  readonly why?: string;
}

export const deprecatedFlags: readonly DeprecatedFlag[] = [
  { old: '--weights random', replacement: '--init random', since: '0.1.0', removedIn: '0.3.0', why: 'a checkpoint file named random is ./random' },
  { old: '--weights zeros', replacement: '--init zeros', since: '0.1.0', removedIn: '0.3.0', why: 'a checkpoint file named zeros is ./zeros' },
];

/** The warning for an old spelling, or undefined when `given` is not one. */
export function deprecationWarning(given: string): string | undefined {
  const d = deprecatedFlags.find((f) => f.old === given);
  if (!d) return undefined;
  return `warning: ${d.old} is deprecated since ${d.since} and stops working in ${d.removedIn}: write ${d.replacement}${d.why ? ` (${d.why})` : ''}`;
}
