/** English messages of `<ucc-create-challenge>`. */
export const createChallenge = {
  createTitle: 'Create a challenge',
  noTemplates: 'No challenges are available right now.',
  activity: 'Activity',
  target: (unit: string) => `Goal per period (${unit})`,
  period: 'Period',
  DAILY: 'Every day',
  WEEKLY: 'Every week',
  length: (unit: string) => `Length (${unit})`,
  name: 'Name (optional)',
  step: (step: string) => `Use steps of ${step}.`,
  nameTooLong: (max: string) => `Use at most ${max} characters.`,
  rewardPreview: (goal: string, period: string, length: string, points: string) =>
    `${goal} ${period.toLowerCase()} for ${length}: earn ${points}.`,
  create: 'Create challenge',
  creating: 'Creating…',
  created: (name: string) => `Challenge “${name}” created.`,
};
