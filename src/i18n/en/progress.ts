/** English messages of `<ucc-progress>`. */
export const progress = {
  progressTitle: 'My challenges',
  noChallenges: 'No challenges yet.',
  streak: (current: string, best: string, required: string) => `Streak ${current} of ${required}, best ${best}`,
  promised: (points: string) => `${points} on completion`,
  earned: (points: string) => `${points} earned`,
  completed: 'Completed',
  ended: 'Ended',
  left: (n: string) => `${n} left`,
  met: 'met',
  missed: 'missed',
  current: 'in progress',
  ahead: 'to come',
  calendar: 'Streak calendar',
};
