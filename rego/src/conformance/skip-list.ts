/**
 * Conformance cases the engine does not pass yet, each with its reason.
 * `directories` skips a whole directory; `cases` skips one case by its note.
 */
export const skipList: {
  readonly directories: Readonly<Record<string, string>>;
  readonly cases: Readonly<Record<string, string>>;
} = {
  directories: {},
  cases: {},
};
