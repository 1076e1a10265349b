import type { Unit } from '../../api/types.js';

/** English messages more than one element shows (the states every element shares, units, progress). */
export const core = {
  noProvider: 'This widget must be placed inside <ucc-provider>. Ask the site owner to check the setup.',
  loading: 'Loading…',
  signedOut: 'Sign in to take part in challenges.',
  retry: 'Retry',
  offline: "We can't reach the service. Check your connection and try again.",
  sessionEnded: 'Your session has ended. Please sign in again.',
  failed: 'Something went wrong on our side. Please try again in a moment.',
  day: { one: 'day', other: 'days' } as Unit,
  week: { one: 'week', other: 'weeks' } as Unit,
  points: { one: 'point', other: 'points' } as Unit,
  notFound: 'This challenge was not found.',
  /** A read answered from an earlier copy: the loyalty programme could not be asked just now (upstream mode). */
  stale: 'Showing what we last knew until the rewards service is back.',
  /** A number input's range (create and log). */
  between: (min: string, max: string) => `Enter a number from ${min} to ${max}.`,
  ofTarget: (value: string, target: string) => `${value} of ${target}`,
};
