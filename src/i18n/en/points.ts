/** English messages of `<ucc-points>`. */
export const points = {
  pointsTitle: 'My points',
  balance: (points: string) => `Balance: ${points}`,
  noEntries: 'No points yet. Complete a challenge to earn some.',
  ledger: 'Recent points',
  more: 'Show more',
};
