/** Phrases of the hosted page (the seed's words) that together give an imitation away. */
export const hostedPagePhrases = [
  'Approve a request on my Authenticator app',
  'Other ways to sign in',
  'Use a verification code',
  'Use a Temporary Access Pass',
  'Use your password',
  'Open your Authenticator app',
  'enter the number shown',
] as const;
