/**
 * Where the owner's manual lives. Links open the README's section on the project site; each
 * empty state also names the config key or CLI command, so it helps without a connection too.
 */
const README = 'https://github.com/clipgate/clipgate#';

export const DOCS = {
  cameras: `${README}cameras`,
  clipFlow: `${README}how-a-clip-flows`,
  sharing: `${README}reviewing-and-sharing`,
  requests: `${README}requests-for-assistance`,
} as const;
