/** English messages of `<ucc-log-activity>`. */
export const logActivity = {
  logTitle: 'Log activity',
  challenge: 'Challenge',
  noActive: 'No active challenges yet. Create one to start logging.',
  plusOne: (one: string, unit: string) => `+${one} ${unit}`,
  quantity: (unit: string) => `Quantity (${unit})`,
  when: 'When',
  now: 'Now',
  earlier: 'Earlier today',
  yesterday: 'Yesterday',
  log: 'Log',
  undo: 'Undo last entry',
  logged: (qty: string, progress: string) => `Logged ${qty}. ${progress}.`,
  queued: (qty: string) => `${qty} saved on this device.`,
  youOffline: 'You are offline.',
  unreachable: "We can't reach the service right now. Your logs are saved and will be sent.",
  signInAgain: (n: string, count: number) => `Sign in again to send ${n} saved log${count === 1 ? '' : 's'}`,
  // A queued log the server refused: `qty` "3 glasses", `time` "09:15", `message` the server's reason.
  notSaved: (qty: string, time: string, message: string) => `Not saved: ${qty} at ${time} — ${message}`,
  dismiss: 'Dismiss',
  undone: 'Last log undone.',
  goalReached: 'Goal reached!',
  rewardEarned: (points: string) => `You earned ${points}!`,
  // A log the server keeps and sends on to the loyalty programme shortly (upstream mode): a reward it earns comes later.
  sendingOn: 'Saved — it will reach your rewards account in a moment.',
  // `n` is the formatted count, `count` picks the sentence (Arabic has six forms).
  pending: (n: string, count: number) => (count === 1 ? `${n} log waiting to be sent` : `${n} logs waiting to be sent`),
};
